// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Engram",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EngramCore", targets: ["EngramCore"]),
        .library(name: "EngramSQLite", targets: ["EngramSQLite"]),
        .library(name: "EngramPostgres", targets: ["EngramPostgres"]),
        .library(name: "EngramEmbeddings", targets: ["EngramEmbeddings"]),
        .executable(name: "engram", targets: ["engram"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "EngramCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The emotion lexicons the heuristic extractor reads (VADER, MIT; Engram's discrete-emotion words).
            resources: [.copy("Resources")],
            swiftSettings: strictSettings
        ),
        // The SQLite driver's C kernels: FTS5 ranking without filter-phrase costs, int8 dot products (SSE2/AVX2).
        .target(
            name: "CEngramSQLite",
            linkerSettings: [.linkedLibrary("sqlite3"), .linkedLibrary("m")]
        ),
        // The SQLite driver's approximate vector index: hnswlib's HNSW (Debian's libhnswlib-dev, header-only) over
        // int8 codes, behind a C interface.
        .target(
            name: "CEngramGraph"
        ),
        .target(
            name: "EngramSQLite",
            dependencies: [
                "CEngramGraph",
                "CEngramSQLite",
                "EngramCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "EngramPostgres",
            dependencies: [
                "EngramCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // ConnectionPoolError: what the pool throws when it gives up connecting.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                // ServerProbe: a plain socket connect.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "EngramEmbeddings",
            dependencies: [
                "EngramCore",
                "COpenBLAS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // MCP tools over MemoryService: for stdio (`engram mcp`) and for streamable HTTP (`/mcp` on `engram serve`).
        .target(
            name: "EngramMCP",
            dependencies: [
                "EngramCore",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The JSON API under /v1, API-key auth, /health, /ready, /metrics and /mcp, on Hummingbird.
        .target(
            name: "EngramHTTP",
            dependencies: [
                "EngramCore",
                "EngramMCP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "EngramCLI",
            dependencies: [
                "EngramCore",
                "EngramSQLite",
                "EngramPostgres",
                "EngramEmbeddings",
                "EngramHTTP",
                "EngramMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "engram",
            dependencies: ["EngramCLI"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramCoreTests",
            dependencies: ["EngramCore"],
            swiftSettings: strictSettings
        ),
        // What the test targets share: the behaviour suite's harness, a store per driver, a rich dataset.
        .target(
            name: "EngramTestSupport",
            dependencies: [
                "EngramCore", "EngramSQLite", "EngramPostgres", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EngramTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramServiceTests",
            dependencies: ["EngramCore", "EngramSQLite", "EngramPostgres", "EngramTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramSQLiteTests",
            dependencies: [
                "CEngramSQLite", "EngramCore", "EngramSQLite", "EngramTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramPostgresTests",
            dependencies: [
                "EngramCore", "EngramPostgres", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramEmbeddingsTests",
            dependencies: [
                "EngramCore", "EngramEmbeddings", "EngramTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramHTTPTests",
            dependencies: [
                "EngramCore", "EngramHTTP", "EngramSQLite", "EngramTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramMCPTests",
            dependencies: [
                "EngramCore", "EngramMCP", "EngramSQLite", "EngramTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngramCLITests",
            dependencies: [
                "EngramCLI", "EngramCore", "EngramSQLite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
