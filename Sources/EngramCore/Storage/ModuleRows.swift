/// Row operations on the modules of a user's personas. Every method runs inside the caller's transaction.
public protocol ModuleRows {
    /// One module of a user.
    func module(userID: String, id: String) async throws -> Module?
    /// The user's module named `name` (names are unique per user).
    func module(userID: String, named name: String) async throws -> Module?
    /// The user's modules (only the active ones with `activeOnly`), by stage priority, then name, then id.
    func modules(userID: String, activeOnly: Bool) async throws -> [Module]
    /// Inserts a module.
    func insertModule(_ module: Module) async throws
    /// Writes every field of the module.
    func updateModule(_ module: Module) async throws
    /// Deletes the module.
    func deleteModule(userID: String, id: String) async throws
}
