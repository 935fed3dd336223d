// dropCapabilities: clears the capability sets of every thread of the process (capabilities.cc).
#pragma once

#include <napi.h>

namespace netnet {

// dropCapabilities("bounding" | "all"): "bounding" empties the bounding set of every thread
// (needs CAP_SETPCAP); "all" also clears the ambient, effective, permitted and inheritable sets
// (the bounding set too where CAP_SETPCAP allows it). Returns the number of threads cleared;
// throws ERR_CAPABILITIES naming the thread or call that failed.
Napi::Value DropCapabilities(const Napi::CallbackInfo& info);

}  // namespace netnet
