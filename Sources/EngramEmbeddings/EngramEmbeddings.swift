import COpenBLAS
import EngramCore

/// Sets how many threads OpenBLAS uses for the encoder's matrix products.
public func setBLASThreads(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
}
