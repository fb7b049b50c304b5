import Foundation

extension FileManager {
    /// Creates the folder that will hold `file` (and its parents), or says which file's folder could not be made.
    /// `kind` names the file in the message, such as `backup` or `database`.
    public func createFolder(of file: URL, for kind: String) throws {
        do {
            try createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw EngramError(
                .storageFailure, "Cannot create the folder of the \(kind) file; check the path and its permissions.")
        }
    }
}
