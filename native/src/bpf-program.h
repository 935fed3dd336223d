// A compiled BPF program for one link type, matched against packets of a capture file
// (`netnet replay --bpf`), through libpcap's own interpreter (pcap_offline_filter).
#pragma once

#include <napi.h>
#include <pcap/pcap.h>

#include <cstddef>
#include <cstdint>

namespace netnet {

class BpfProgram : public Napi::ObjectWrap<BpfProgram> {
 public:
  static Napi::Function Define(Napi::Env env);
  // compileFilter(expression, linktype, snaplen): a BpfProgram, or throws libpcap's message.
  static Napi::Value Compile(const Napi::CallbackInfo& info);
  // validateFilter(expression, linktype, snaplen): null, or libpcap's message.
  static Napi::Value Validate(const Napi::CallbackInfo& info);

  explicit BpfProgram(const Napi::CallbackInfo& info);
  ~BpfProgram() override;

 private:
  Napi::Value Match(const Napi::CallbackInfo& info);
  Napi::Value SetBuffer(const Napi::CallbackInfo& info);
  Napi::Value MatchAt(const Napi::CallbackInfo& info);
  Napi::Value GetLinktype(const Napi::CallbackInfo& info);
  Napi::Value GetInstructionCount(const Napi::CallbackInfo& info);

  struct bpf_program program_ = {0, nullptr};
  bool compiled_ = false;
  int linktype_ = 0;
  // setBuffer/matchAt: the buffer of the packets being filtered, kept alive by the reference.
  Napi::Reference<Napi::Uint8Array> bufferRef_;
  const uint8_t* buffer_ = nullptr;
  size_t bufferLength_ = 0;
};

}  // namespace netnet
