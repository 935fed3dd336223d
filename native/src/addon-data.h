// Per-environment data (one per main thread or worker that loads the addon).
#pragma once

#include <napi.h>

namespace netnet {

struct AddonData {
  Napi::FunctionReference liveHandle;
  Napi::FunctionReference bpfProgram;
};

inline AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace netnet
