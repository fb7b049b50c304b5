import EngramCore

extension EngramError.Code {
    /// The local embedding model's files are missing.
    public static let modelNotFound = EngramError.Code(rawValue: "model_not_found")
    /// The local embedding model's files are there but unreadable, truncated or of another model.
    public static let modelInvalid = EngramError.Code(rawValue: "model_invalid")
}

extension EngramError {
    /// What to do about missing or broken model files.
    static let modelAdvice = "run ./scripts/setup.sh to install all-MiniLM-L6-v2, or set ENGRAM_MODEL_DIR to its folder"

    /// The model folder lacks `file`.
    static func modelNotFound(_ file: String) -> EngramError {
        EngramError(.modelNotFound, "The all-MiniLM-L6-v2 file \(file) is missing; \(modelAdvice).")
    }

    /// A model file is unusable; `problem` says how (it names files and tensors, never user data).
    static func modelInvalid(_ problem: String) -> EngramError {
        EngramError(.modelInvalid, "The all-MiniLM-L6-v2 files are invalid (\(problem)); \(modelAdvice).")
    }
}
