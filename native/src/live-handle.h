// A live libpcap capture handle, woken by libuv, that hands JavaScript one batch of packets per
// call. See live-handle.cc for the batch format and docs/capture.md for the whole contract.
#pragma once

#include <napi.h>
#include <pcap/pcap.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

namespace netnet {

class LiveHandle : public Napi::ObjectWrap<LiveHandle> {
 public:
  // Defines the class (not exposed to JavaScript as a constructor; `openLive` makes instances).
  static Napi::Function Define(Napi::Env env);
  // openLive(options, onBatch, onError): opens, activates and starts polling a device.
  static Napi::Value OpenLive(const Napi::CallbackInfo& info);

  explicit LiveHandle(const Napi::CallbackInfo& info);
  ~LiveHandle() override;

 private:
  enum class State { kNew, kOpen, kClosed };

  // The libuv poll handle lives on its own: libuv frees it only in the close callback, which
  // may run after this object was garbage-collected, and the environment's teardown hook
  // points at it rather than at this object.
  struct Poller {
    uv_poll_t poll;
    napi_async_cleanup_hook_handle hook = nullptr;
    LiveHandle* owner = nullptr;
  };

  struct Options {
    std::string device;
    int snaplen = 262144;
    bool promiscuous = true;
    int timeoutMs = 100;
    int bufferSize = 32 * 1024 * 1024;
    size_t batchSize = 1024 * 1024;
  };

  static bool ReadOptions(Napi::Env env, Napi::Object o, Options* out);
  bool Open(Napi::Env env, const Options& options, Napi::Function onBatch,
            Napi::Function onError);

  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value SetFilter(const Napi::CallbackInfo& info);
  Napi::Value Inject(const Napi::CallbackInfo& info);
  Napi::Value GetIsOpen(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetLinktype(const Napi::CallbackInfo& info);
  Napi::Value GetSnaplen(const Napi::CallbackInfo& info);
  Napi::Value GetNanosecond(const Napi::CallbackInfo& info);
  Napi::Value GetWarning(const Napi::CallbackInfo& info);
  Napi::Value GetBatchSize(const Napi::CallbackInfo& info);

  // Returns false (with a pending exception) unless the handle is open.
  bool CheckOpen(Napi::Env env, const char* what);

  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnPacket(u_char* user, const struct pcap_pkthdr* header, const u_char* bytes);
  static void OnPollClosed(uv_handle_t* handle);
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* arg);

  void Drain();
  bool FlushBatch();
  bool EnsureBatchBuffer();
  void Fail(const std::string& message);
  // Stops polling and closes libpcap; touches no JavaScript (safe in finalizers and teardown).
  void CloseNative();
  // Drops the callbacks and the batch buffer; only outside a batch callback.
  void ReleaseJs();

  State state_ = State::kNew;
  pcap_t* pcap_ = nullptr;
  Poller* poller_ = nullptr;
  std::string device_;
  std::string warning_;
  int linktype_ = 0;
  int snaplen_ = 0;
  bool nanosecond_ = false;
  bool failed_ = false;
  bpf_u_int32 netmask_ = PCAP_NETMASK_UNKNOWN;

  // The batch buffer: one ArrayBuffer, filled by OnPacket and handed to onBatch.
  Napi::Reference<Napi::ArrayBuffer> batchRef_;
  uint8_t* batch_ = nullptr;
  size_t batchSize_ = 0;
  size_t batchUsed_ = 0;
  uint32_t batchCount_ = 0;
  size_t maxRecord_ = 0;
  int callbackDepth_ = 0;
  int pollErrors_ = 0;

  // Ring use, estimated: bytes the ring held for the packets read in one wake-up (what had
  // queued since the previous one), and the most of that since the last stats() call.
  size_t ringBytes_ = 0;
  uint64_t wakeBytes_ = 0;
  uint64_t peakWakeBytes_ = 0;

  Napi::FunctionReference onBatch_;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;

  // pcap_stats counters are 32-bit and wrap; these are the running 64-bit totals.
  uint32_t lastRecv_ = 0;
  uint32_t lastDrop_ = 0;
  uint32_t lastIfDrop_ = 0;
  uint64_t totalRecv_ = 0;
  uint64_t totalDrop_ = 0;
  uint64_t totalIfDrop_ = 0;
  // Our own counters: what reached JavaScript.
  uint64_t packets_ = 0;
  uint64_t batches_ = 0;
  uint64_t truncated_ = 0;
};

}  // namespace netnet
