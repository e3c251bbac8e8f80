"""itsdangerous signers that derive each key once per process instead of on every check.

itsdangerous derives the signing key from the secret and the salt (an HMAC)
every time it signs or verifies, and serializers make a new signer for each
call. The session cookie, the CSRF token and the attempt token are checked
on every answer save; deriving three keys per request is pure overhead, as
secret and salt never change. Same algorithms, same tokens.
"""

from __future__ import annotations

from itsdangerous import Signer, TimestampSigner
from itsdangerous.encoding import want_bytes

_derived: dict[tuple, bytes] = {}


class _DerivedOnce:
    def derive_key(self, secret_key=None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        cache_key = (secret, self.salt, self.key_derivation, self.digest_method)
        key = _derived.get(cache_key)
        if key is None:
            key = _derived[cache_key] = super().derive_key(secret)
        return key


class CachedKeySigner(_DerivedOnce, Signer):
    pass


class CachedKeyTimestampSigner(_DerivedOnce, TimestampSigner):
    pass
