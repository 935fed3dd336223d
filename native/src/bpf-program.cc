#include "bpf-program.h"

#include <string>

#include "addon-data.h"
#include "errors.h"
#include "link-types.h"

namespace netnet {

namespace {

// Arguments shared by compileFilter and validateFilter; false with a pending TypeError.
bool ReadFilterArgs(const Napi::CallbackInfo& info, std::string* expr, int* linktype,
                    int* snaplen) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    ThrowType(env, "the filter expression must be a string");
    return false;
  }
  *expr = info[0].As<Napi::String>().Utf8Value();
  *linktype = DLT_EN10MB;
  *snaplen = 262144;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsNumber()) {
      ThrowType(env, "the link type must be a number (a LINKTYPE_ value)");
      return false;
    }
    *linktype = info[1].As<Napi::Number>().Int32Value();
  }
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!info[2].IsNumber() || info[2].As<Napi::Number>().Int32Value() <= 0) {
      ThrowType(env, "the snaplen must be a positive number");
      return false;
    }
    *snaplen = info[2].As<Napi::Number>().Int32Value();
  }
  return true;
}

// Compiles on a dead handle; returns libpcap's error text, or an empty string on success.
std::string CompileDead(const std::string& expr, int linktype, int snaplen,
                        struct bpf_program* out) {
  pcap_t* dead = pcap_open_dead(LinktypeToDlt(linktype), snaplen);
  if (dead == nullptr) return "cannot make a libpcap handle for link type " +
                              std::to_string(linktype);
  std::string error;
  if (pcap_compile(dead, out, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    error = pcap_geterr(dead);
    if (error.empty()) error = "the filter does not compile";
  }
  pcap_close(dead);
  return error;
}

}  // namespace

Napi::Function BpfProgram::Define(Napi::Env env) {
  return DefineClass(env, "BpfProgram",
                     {
                         InstanceMethod<&BpfProgram::Match>("match"),
                         InstanceMethod<&BpfProgram::SetBuffer>("setBuffer"),
                         InstanceMethod<&BpfProgram::MatchAt>("matchAt"),
                         InstanceAccessor<&BpfProgram::GetLinktype>("linktype"),
                         InstanceAccessor<&BpfProgram::GetInstructionCount>("instructionCount"),
                     });
}

BpfProgram::BpfProgram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfProgram>(info) {}

BpfProgram::~BpfProgram() {
  if (compiled_) pcap_freecode(&program_);
}

Napi::Value BpfProgram::Validate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string expr;
  int linktype = 0;
  int snaplen = 0;
  if (!ReadFilterArgs(info, &expr, &linktype, &snaplen)) return env.Undefined();
  struct bpf_program program = {0, nullptr};
  std::string error = CompileDead(expr, linktype, snaplen, &program);
  if (!error.empty()) return Napi::String::New(env, error);
  pcap_freecode(&program);
  return env.Null();
}

Napi::Value BpfProgram::Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string expr;
  int linktype = 0;
  int snaplen = 0;
  if (!ReadFilterArgs(info, &expr, &linktype, &snaplen)) return env.Undefined();
  struct bpf_program program = {0, nullptr};
  std::string error = CompileDead(expr, linktype, snaplen, &program);
  if (!error.empty()) return Throw(env, kErrFilter, "invalid filter \"" + expr + "\": " + error);
  Napi::Object object = GetAddonData(env)->bpfProgram.New({});
  if (env.IsExceptionPending()) {
    pcap_freecode(&program);
    return env.Undefined();
  }
  BpfProgram* self = Unwrap(object);
  self->program_ = program;
  self->compiled_ = true;
  self->linktype_ = linktype;
  return object;
}

Napi::Value BpfProgram::Match(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!compiled_) return Throw(env, kErrFilter, "match: this program was never compiled");
  if (info.Length() < 4 || !info[0].IsTypedArray()) {
    return ThrowType(env, "match(bytes, offset, caplen, origlen) needs a Uint8Array and numbers");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  uint32_t off = info[1].As<Napi::Number>().Uint32Value();
  uint32_t caplen = info[2].As<Napi::Number>().Uint32Value();
  uint32_t origlen = info[3].As<Napi::Number>().Uint32Value();
  if (static_cast<size_t>(off) + caplen > bytes.ByteLength()) {
    Napi::RangeError::New(env, "match: offset + caplen is past the end of the bytes")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct pcap_pkthdr header = {{0, 0}, caplen, origlen};
  return Napi::Boolean::New(env,
                            pcap_offline_filter(&program_, &header, bytes.Data() + off) != 0);
}

Napi::Value BpfProgram::SetBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return ThrowType(env, "setBuffer(bytes) needs a Uint8Array");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  bufferRef_ = Napi::Persistent(bytes);
  buffer_ = bytes.Data();
  bufferLength_ = bytes.ByteLength();
  return env.Undefined();
}

Napi::Value BpfProgram::MatchAt(const Napi::CallbackInfo& info) {
  // The per-packet call of `replay --bpf`: numbers only, the bytes set once per buffer.
  Napi::Env env = info.Env();
  uint32_t off = info[0].As<Napi::Number>().Uint32Value();
  uint32_t caplen = info[1].As<Napi::Number>().Uint32Value();
  uint32_t origlen = info[2].As<Napi::Number>().Uint32Value();
  if (!compiled_ || buffer_ == nullptr ||
      static_cast<size_t>(off) + caplen > bufferLength_) {
    Napi::RangeError::New(env, "matchAt: no buffer set, or offset + caplen past its end")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct pcap_pkthdr header = {{0, 0}, caplen, origlen};
  return Napi::Boolean::New(env, pcap_offline_filter(&program_, &header, buffer_ + off) != 0);
}

Napi::Value BpfProgram::GetLinktype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), linktype_);
}

Napi::Value BpfProgram::GetInstructionCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), program_.bf_len);
}

}  // namespace netnet
