/**
 * Bcrypt hashes made by other implementations, so that each prefix is checked against bcrypt
 * as the rest of the world writes it:
 * - `$2y$`: Apache's `htpasswd -bnBC 4 "" 'correct horse'` (apache2-utils 2.4);
 * - `$2a$` and `$2b$`: Python's bcrypt 3.2, `hashpw(pw, gensalt(4, prefix=b"2a"))`;
 * - the two `U*U` hashes: published test vectors of Openwall's crypt_blowfish.
 */
export const KNOWN_HASHES = [
  ["$2y$04$6W0bBcjOxd/m7yB7SCafdeF6twhNPtQzSpo8I7j7fvj7hNYM09Hpa", "correct horse"],
  ["$2y$10$./ewIfoADeMgq5kCCxrW/OrYo9JjLadjuwQtANjxZ8zRGr2qfgh5.", "correct horse"],
  ["$2b$04$AqxYWZkF6sEftkOUT3CBhOLyqCwTpMvTjE..rhyGNmApb8gwRTxIW", "correct horse"],
  ["$2a$04$qPVr5A0pYoy1IK4hvaykKu6Jq3tq9tHp/1/YE9NNxvQHtyVJ6j9ee", "correct horse"],
  ["$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"],
  ["$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"],
] as const;

/** `adminpass`, the original's demo password, hashed by htpasswd ($2y$) and Python ($2a$, $2b$). */
export const ADMINPASS_HASHES = {
  "2a": "$2a$04$VqY7lxdjs8k8kZE/yOuWRunpzvc8pQUKOs//p5pXONM2FneMJL1i6",
  "2b": "$2b$04$ETFNz53OkS.l9fSD/5r9XOFxnK58ae4I4ieTO4T.aQWX.bqzPUhru",
  "2y": "$2y$04$oCaHhdU2b8yHiPcrKLz5ce3UBRVc5VrW8/Ai3O4Gujd6W5Jd.I/uq",
} as const;
