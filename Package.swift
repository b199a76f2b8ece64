// swift-tools-version:6.0
import PackageDescription

/// Policy shared by every target.
let swiftSettings: [SwiftSetting] = [
    // SE-0335: existential types are spelled `any P`, so their cost is visible.
    .enableUpcomingFeature("ExistentialAny"),
    // The build stays at zero warnings: a new one fails it rather than joining a list nobody reads.
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "sarcreg",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sarcreg", targets: ["sarcreg"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // HMAC-SHA-256 of medical record numbers; Linux Foundation has no CryptoKit.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryDomain",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryServices",
            dependencies: [
                "PostgresClient", "RegistryDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistrySync",
            dependencies: [
                "PostgresClient", "RegistryDomain", "RegistryServices",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RegistryReports",
            dependencies: ["RegistryDomain"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sarcreg",
            dependencies: [
                "PostgresClient", "RegistryDomain", "RegistryServices", "RegistryReports",
                "RegistrySync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sarcreg-bench",
            dependencies: ["PostgresClient", "RegistryDomain", "RegistryServices"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["PostgresClient"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryDomainTests",
            dependencies: ["RegistryDomain"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryServicesTests",
            dependencies: ["RegistryServices", "RegistryDomain", "PostgresClient", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistrySyncTests",
            dependencies: ["RegistrySync", "RegistryServices", "RegistryDomain", "PostgresClient", "TestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryReportsTests",
            dependencies: ["RegistryReports", "RegistryDomain"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SarcregTests",
            dependencies: ["PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["RegistrySync", "RegistryServices", "RegistryDomain", "PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
