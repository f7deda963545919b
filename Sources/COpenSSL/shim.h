#ifndef CHITRA_COPENSSL_SHIM_H
#define CHITRA_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#endif
