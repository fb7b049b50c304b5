import Foundation

/// Writing a file that must be complete or absent (backups, restores): made beside its final name, then published
/// in one step. Shared by the drivers' backup and restore.
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

    /// A hidden, unique file name in the folder of `file`, so that publishing it stays on one file system.
    public func temporarySibling(of file: URL, purpose: String) -> URL {
        file.deletingLastPathComponent().appendingPathComponent(
            ".\(file.lastPathComponent).\(purpose)-\(UUID().uuidString)")
    }

    /// Gives the complete `temporary` file the name `destination`. With `replace`, an existing file is replaced
    /// atomically; without it, an existing file is never overwritten (`exists` is thrown): a hard link fails
    /// atomically when the name is taken, and where there are no hard links, a move refuses it too.
    public func publish(_ temporary: URL, at destination: URL, replace: Bool, exists: EngramError) throws {
        let failure = EngramError(
            .storageFailure, "Cannot move the file into place; check the folder's permissions. Nothing was changed.")
        if replace {
            guard rename(temporary.path, destination.path) == 0 else { throw failure }
            return
        }
        do {
            try linkItem(at: temporary, to: destination)
            try? removeItem(at: temporary)
            return
        } catch {
            if fileExists(atPath: destination.path) { throw exists }
        }
        do {
            try moveItem(at: temporary, to: destination)
        } catch {
            if fileExists(atPath: destination.path) { throw exists }
            throw failure
        }
    }

    /// The size of the file at `url` in bytes (0 when it cannot be read).
    public func size(of url: URL) -> Int64 {
        ((try? attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
