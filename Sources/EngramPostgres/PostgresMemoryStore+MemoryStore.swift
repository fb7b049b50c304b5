import EngramCore

/// The PostgreSQL store answers the same `MemoryStore` contract, and the same behaviour suite, as SQLite.
extension PostgresMemoryStore: MemoryStore {}
