import EngramCore
import MCP

/// Builders of the JSON Schemas (as MCP ``Value``s) that describe tool inputs.
enum JSONSchema {
    /// An object with `properties`, of which `required` must be present; no other property is accepted.
    static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object", "properties": .object(properties), "additionalProperties": false,
        ]
        // Draft-04 readers refuse an empty `required`: leave it out instead.
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    /// A string.
    static func string(_ description: String) -> Value {
        ["type": "string", "description": .string(description)]
    }

    /// A number within `range`.
    static func number(_ description: String, in range: ClosedRange<Double>, default value: Double? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "number", "description": .string(description), "minimum": .double(range.lowerBound),
            "maximum": .double(range.upperBound),
        ]
        if let value { schema["default"] = .double(value) }
        return .object(schema)
    }

    /// A whole number within `range`.
    static func integer(_ description: String, in range: ClosedRange<Int>, default value: Int? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "integer", "description": .string(description), "minimum": .int(range.lowerBound),
            "maximum": .int(range.upperBound),
        ]
        if let value { schema["default"] = .int(value) }
        return .object(schema)
    }

    /// A boolean.
    static func boolean(_ description: String, default value: Bool) -> Value {
        ["type": "boolean", "description": .string(description), "default": .bool(value)]
    }

    /// One of the raw values of `E`, read from the enumeration itself.
    static func enumeration<E: EngramEnum>(_: E.Type, _ description: String, default value: E? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "string", "enum": .array(E.allCases.map { .string($0.rawValue) }),
            "description": .string(description),
        ]
        if let value { schema["default"] = .string(value.rawValue) }
        return .object(schema)
    }

    /// A list of distinct raw values of `E`.
    static func enumerations<E: EngramEnum>(_: E.Type, _ description: String) -> Value {
        [
            "type": "array", "uniqueItems": true, "description": .string(description),
            "items": ["type": "string", "enum": .array(E.allCases.map { .string($0.rawValue) })],
        ]
    }

    /// A list of strings.
    static func strings(_ description: String) -> Value {
        ["type": "array", "description": .string(description), "items": ["type": "string"]]
    }

    /// Any JSON object.
    static func anyObject(_ description: String) -> Value {
        ["type": "object", "description": .string(description)]
    }

    /// The names of the properties of an object schema.
    static func propertyNames(of schema: Value) -> Set<String> {
        Set(schema.objectValue?["properties"]?.objectValue.map { Array($0.keys) } ?? [])
    }
}
