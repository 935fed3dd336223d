// net-net's libpcap addon: module entry, device listing and version. The live handle is in
// live-handle.cc, BPF programs in bpf-program.cc; docs/capture.md describes the whole API.

#include <arpa/inet.h>
#include <napi.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "addon-data.h"
#include "bpf-program.h"
#include "capabilities.h"
#include "errors.h"
#include "live-handle.h"

namespace netnet {

namespace {

// Text of an IPv4 or IPv6 socket address; null for other families or none.
Napi::Value AddressText(Napi::Env env, const struct sockaddr* sa) {
  char text[INET6_ADDRSTRLEN];
  if (sa == nullptr) return env.Null();
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const struct sockaddr_in*>(sa);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) {
      return Napi::String::New(env, text);
    }
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(sa);
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)) != nullptr) {
      return Napi::String::New(env, text);
    }
  }
  return env.Null();
}

// listInterfaces(): the devices pcap_findalldevs sees, in its order.
Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, errbuf) != 0) {
    return Throw(env, kErrDevices, std::string("cannot list capture devices: ") + errbuf);
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (pcap_if_t* d = all; d != nullptr; d = d->next) {
    Napi::Object dev = Napi::Object::New(env);
    dev.Set("name", Napi::String::New(env, d->name));
    dev.Set("description", d->description != nullptr
                               ? Napi::Value(Napi::String::New(env, d->description))
                               : env.Null());
    dev.Set("flags", Napi::Number::New(env, d->flags));
    Napi::Array addresses = Napi::Array::New(env);
    uint32_t k = 0;
    for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
      if (a->addr == nullptr) continue;
      int family = a->addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      Napi::Object addr = Napi::Object::New(env);
      addr.Set("family", Napi::Number::New(env, family == AF_INET ? 4 : 6));
      addr.Set("address", AddressText(env, a->addr));
      addr.Set("netmask", AddressText(env, a->netmask));
      addr.Set("broadcast", AddressText(env, a->broadaddr));
      addr.Set("destination", AddressText(env, a->dstaddr));
      addresses.Set(k++, addr);
    }
    dev.Set("addresses", addresses);
    out.Set(n++, dev);
  }
  pcap_freealldevs(all);
  return out;
}

// threadAffinity(tid): the CPUs a thread of this process may run on (tid 0: the caller).
// Not libpcap's, but the capture worker's placement needs a system call Node does not offer.
Napi::Value ThreadAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowType(env, "threadAffinity(tid)");
  pid_t tid = static_cast<pid_t>(info[0].As<Napi::Number>().Int32Value());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof(set), &set) != 0) {
    return Throw(env, kErrAffinity, std::string("sched_getaffinity: ") + std::strerror(errno));
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(n++, Napi::Number::New(env, cpu));
  }
  return out;
}

// setThreadAffinity(tid, cpus): restricts a thread of this process to those CPUs.
Napi::Value SetThreadAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) {
    return ThrowType(env, "setThreadAffinity(tid, cpus)");
  }
  pid_t tid = static_cast<pid_t>(info[0].As<Napi::Number>().Int32Value());
  Napi::Array cpus = info[1].As<Napi::Array>();
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    Napi::Value v = cpus.Get(i);
    int cpu = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : -1;
    if (cpu < 0 || cpu >= CPU_SETSIZE) return ThrowType(env, "setThreadAffinity: bad CPU number");
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
    return Throw(env, kErrAffinity, std::string("sched_setaffinity: ") + std::strerror(errno));
  }
  return env.Undefined();
}

Napi::Value LibVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->liveHandle = Napi::Persistent(LiveHandle::Define(env));
  data->bpfProgram = Napi::Persistent(BpfProgram::Define(env));
  env.SetInstanceData<AddonData>(data);
  exports.Set("openLive", Napi::Function::New<LiveHandle::OpenLive>(env, "openLive"));
  exports.Set("compileFilter", Napi::Function::New<BpfProgram::Compile>(env, "compileFilter"));
  exports.Set("validateFilter", Napi::Function::New<BpfProgram::Validate>(env, "validateFilter"));
  exports.Set("listInterfaces", Napi::Function::New<ListInterfaces>(env, "listInterfaces"));
  exports.Set("libVersion", Napi::Function::New<LibVersion>(env, "libVersion"));
  exports.Set("threadAffinity", Napi::Function::New<ThreadAffinity>(env, "threadAffinity"));
  exports.Set("setThreadAffinity",
              Napi::Function::New<SetThreadAffinity>(env, "setThreadAffinity"));
  exports.Set("dropCapabilities", Napi::Function::New<DropCapabilities>(env, "dropCapabilities"));
  return exports;
}

}  // namespace netnet

namespace {

Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return netnet::Init(env, exports); }

}  // namespace

NODE_API_MODULE(netnet_pcap, InitModule)
