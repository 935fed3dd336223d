/**
 * The auth component: users and passwords, login sessions, the API token, login throttling
 * and the exposure rules. Pure modules; the HTTP API wires them to requests.
 */
export {
  AUTH_ERRORS,
  type AuthErrorCode,
  USER_CONFIG_ERRORS,
  UserConfigError,
  type UserConfigErrorCode,
} from "./auth-error.js";
export {
  type Credentials,
  checkApiToken,
  extractCredentials,
  type HeaderBag,
  REDACTED,
  redactUrl,
} from "./credentials.js";
export {
  checkExposure,
  DEMO_PASSWORD,
  type ExposureCode,
  type ExposureConfig,
  type ExposureProblem,
  MIN_API_TOKEN_LENGTH,
} from "./exposure.js";
export {
  clientKey,
  createLoginGuard,
  LOGIN_GUARD_DEFAULTS,
  type LoginAttempt,
  type LoginGuard,
  type LoginGuardOptions,
  type LoginRefusal,
} from "./login-guard.js";
export { exposureReason, isLoopbackHost, type ReachConfig } from "./loopback.js";
export {
  authenticate,
  DEFAULT_COST,
  hashPassword,
  isBcryptHash,
  type LoadUsersOptions,
  loadUsers,
  MAX_PASSWORD_BYTES,
  type Users,
  type UsersConfig,
  verifyPassword,
} from "./passwords.js";
export {
  createSessionManager,
  credentialFingerprint,
  hashToken,
  isSessionTokenShape,
  type NewSession,
  REFRESH_GRANULARITY_MS,
  type SessionManager,
  type SessionManagerOptions,
} from "./sessions.js";
