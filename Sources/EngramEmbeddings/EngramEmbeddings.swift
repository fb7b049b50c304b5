import COpenBLAS
import EngramCore

/// Sets how many threads OpenBLAS uses for the encoder's matrix products (process-wide).
public func setBLASThreads(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
}

/// How many threads OpenBLAS currently uses for matrix products.
public func blasThreads() -> Int {
    Int(openblas_get_num_threads())
}
