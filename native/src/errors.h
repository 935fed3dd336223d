// Errors thrown to JavaScript: an Error with a stable `code` property (the TypeScript side maps
// the codes to LiveCaptureError, see src/capture/live/live-errors.ts).
#pragma once

#include <napi.h>

#include <string>

namespace netnet {

// Codes, kept in step with LIVE_ERROR_CODES in src/capture/live/live-errors.ts.
inline constexpr const char* kErrOpen = "ERR_PCAP_OPEN";
inline constexpr const char* kErrPermission = "ERR_PCAP_PERMISSION";
inline constexpr const char* kErrNoSuchDevice = "ERR_PCAP_NO_SUCH_DEVICE";
inline constexpr const char* kErrFilter = "ERR_PCAP_FILTER";
inline constexpr const char* kErrClosed = "ERR_PCAP_CLOSED";
inline constexpr const char* kErrRead = "ERR_PCAP_READ";
inline constexpr const char* kErrStats = "ERR_PCAP_STATS";
inline constexpr const char* kErrInject = "ERR_PCAP_INJECT";
inline constexpr const char* kErrDevices = "ERR_PCAP_DEVICES";
inline constexpr const char* kErrAffinity = "ERR_AFFINITY";
inline constexpr const char* kErrCapabilities = "ERR_CAPABILITIES";

// An Error object with `code` set; does not throw.
Napi::Error MakeError(Napi::Env env, const char* code, const std::string& message);

// Throws (as a pending JavaScript exception) and returns undefined, for `return Throw(...)`.
Napi::Value Throw(Napi::Env env, const char* code, const std::string& message);

// Throws a TypeError (bad arguments from JavaScript) and returns undefined.
Napi::Value ThrowType(Napi::Env env, const std::string& message);

}  // namespace netnet
