import COpenSSL

/// OpenSSL's process-wide set-up.
///
/// By default OpenSSL frees its tables in an `atexit` handler. A `chitra` process that ends while
/// GRDB's queue is still closing a connection can then free an HMAC context (a seal function's)
/// after that clean-up: a crash at exit (signal 11 in libcrypto on a dispatch thread while the main
/// thread ran the exit handlers), seen twice under `ops/crashtest`, once in `init` and once in
/// `audit verify`; not reproduced on demand (1,600 runs of `audit verify`, 4 at a time).
/// `OPENSSL_INIT_NO_ATEXIT` leaves the clean-up to the end of the process, as the OpenSSL manual
/// recommends for programs that use it from several threads. It must come before any other use of
/// libcrypto: the command line calls it first; every type here calls it too, harmlessly, in case.
public enum OpenSSLRuntime {
    private static let prepared: Void = {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }()

    public static func prepare() { _ = prepared }
}
