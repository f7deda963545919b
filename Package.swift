// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ChiTra",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "chitra", targets: ["chitra"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // The browser application (chitra serve): HTTP server, sessions/identity protocols, escaping templates, zip downloads.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // libcrypto (OpenSSL 3) behind a shim; HMAC-SHA256 through EVP_MAC.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Domain: periods, money, identifiers, the tariff and the entitlement engine. No I/O but reading formats/.
        .target(name: "ChiTraCore"),
        // The embedded SQLite store (GRDB): schema, migrations, audit log.
        .target(name: "ChiTraStore", dependencies: [
            "ChiTraCore", "ChiTraSigning",  // ChiTraSigning: HMAC for the audit chain (no cycle: Signing depends on COpenSSL only)
            .product(name: "GRDB", package: "GRDB.swift"),
            // The C API of the SQLite GRDB links: RawSQL, for the per-line statements of the hot loops.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // HMAC signing, key files, detached signatures, manifests, verification.
        .target(name: "ChiTraSigning", dependencies: ["COpenSSL", "ChiTraCore"]),  // ChiTraCore: the message catalogue
        // Spreadsheets: reading .xlsx rolls (safely: zip limits, no external entities) and writing .xlsx lists for clerks.
        .target(name: "ChiTraSheets", dependencies: ["ChiTraCore", "ChiTraSigning",
            .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Beneficiary roll: CSV layout, validation, import with history.
        .target(name: "ChiTraRoll", dependencies: ["ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraSheets",
            // Only to open transactions and name them (`Database`): the SQL is ChiTraStore's (`Roll/`).
            .product(name: "GRDB", package: "GRDB.swift")]),
        // Monthly batch: build, approve, export payout files, sign.
        .target(name: "ChiTraBatch", dependencies: ["ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraSheets",
            // GRDB only to name the transaction (`Database`) and open it: the SQL is ChiTraStore's.
            .product(name: "GRDB", package: "GRDB.swift")]),
        // Returns: bank and post-office return files, matching, consequences, reconciliation.
        // GRDB only to name the transaction handle and open transactions: the SQL is in ChiTraStore.
        .target(name: "ChiTraReturns", dependencies: ["ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraSheets",
            .product(name: "GRDB", package: "GRDB.swift")]),
        // The simulator: plays the bank or the post office, writing the return file for one of our payout files.
        .target(name: "ChiTraSimulator", dependencies: ["ChiTraCore", "ChiTraSigning", "ChiTraBatch", "ChiTraReturns"]),
        // The gaps worklist: who still lacks a usable non-cash payment, coverage, follow-up, manual updates.
        .target(name: "ChiTraGaps", dependencies: ["ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraRoll", "ChiTraSheets",
            .product(name: "GRDB", package: "GRDB.swift")]),
        // The browser application: routes, sessions, CSRF, role checks and pages over the same use cases as the CLI.
        .target(name: "ChiTraWeb", dependencies: [
            "ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraRoll", "ChiTraBatch", "ChiTraReturns", "ChiTraGaps",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], resources: [.copy("Templates"), .copy("Static")]),
        // Accounts for tests, made through the real authentication path (tests only).
        // Also opens the .xlsx files ChiTra writes as a person would: LibreOffice headless, and the XML read back.
        .target(name: "ChiTraTestSupport", dependencies: ["ChiTraStore", "ChiTraSigning",
            .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Deterministic generator of realistic rolls.
        .target(name: "ChiTraFixtures", dependencies: ["ChiTraCore"]),
        // The command line: thin over the libraries.
        .executableTarget(name: "chitra", dependencies: [
            "ChiTraCore", "ChiTraStore", "ChiTraRoll", "ChiTraSigning", "ChiTraBatch", "ChiTraReturns", "ChiTraSimulator", "ChiTraFixtures", "ChiTraGaps", "ChiTraWeb", "ChiTraSheets",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "ChiTraCoreTests", dependencies: ["ChiTraCore"]),
        .testTarget(name: "ChiTraRollTests", dependencies: ["ChiTraTestSupport", "ChiTraRoll", "ChiTraSheets", "ChiTraCore", "ChiTraStore", "ChiTraFixtures",
            .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ChiTraSigningTests", dependencies: ["ChiTraSigning", "ChiTraCore"]),
        .testTarget(name: "ChiTraSheetsTests", dependencies: ["ChiTraSheets", "ChiTraCore", "ChiTraSigning", "ChiTraTestSupport",
            .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "ChiTraBatchTests", dependencies: ["ChiTraTestSupport", "ChiTraBatch", "ChiTraSheets", "ChiTraRoll", "ChiTraCore", "ChiTraStore", "ChiTraSigning",
            .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ChiTraReturnsTests", dependencies: ["ChiTraTestSupport", "ChiTraReturns", "ChiTraSimulator", "ChiTraSheets", "ChiTraBatch", "ChiTraRoll", "ChiTraCore", "ChiTraStore", "ChiTraSigning", "ChiTraFixtures",
            .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ChiTraGapsTests", dependencies: ["ChiTraTestSupport", "ChiTraGaps", "ChiTraSheets", "ChiTraRoll", "ChiTraCore", "ChiTraStore",
            .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ChiTraFixturesTests", dependencies: ["ChiTraFixtures", "ChiTraCore"]),
        .testTarget(name: "ChiTraWebTests", dependencies: ["ChiTraWeb", "ChiTraTestSupport", "ChiTraStore", "ChiTraCore", "ChiTraSigning", "ChiTraRoll", "ChiTraBatch", "ChiTraReturns", "ChiTraFixtures",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ChiTraHardeningTests", dependencies: ["ChiTraTestSupport", "ChiTraStore", "ChiTraCore", "ChiTraSigning", "ChiTraRoll", "ChiTraBatch", "ChiTraReturns", "ChiTraFixtures", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
