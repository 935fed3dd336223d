// Live capture: libpcap in non-blocking mode over its memory-mapped ring (TPACKET_V3 on Linux,
// libpcap's default unless immediate mode is asked for, which we never do), a libuv poll
// watcher on pcap_get_selectable_fd, and one JavaScript call per batch of packets.
//
// Batch format (docs/capture.md): a sequence of records, each
//
//   [ts seconds u32][ts nanoseconds u32][caplen u32][origlen u32][caplen bytes][0-3 zero bytes]
//
// little-endian, every record starting on a 4-byte boundary (the packet bytes are padded with
// zeros to a multiple of 4), so the JavaScript side reads the header through one Uint32Array.
// The next record starts at `off + 16 + ((caplen + 3) & ~3)`.
//
// The same ArrayBuffer is handed to every onBatch call of a handle: JavaScript must finish
// with it before the callback returns (the next batch overwrites it). If JavaScript detaches
// it (transfers it to a worker), the next batch gets a fresh one.

#include "live-handle.h"

#include <cstring>

#include "addon-data.h"
#include "errors.h"
#include "link-types.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the batch format is little-endian and written with host stores: little-endian hosts only"
#endif

namespace netnet {

namespace {

constexpr size_t kRecordHeader = 16;
// At most this many batches per wake-up; then the event loop runs its other callbacks (timers,
// messages) and, the ring still being readable, wakes us again at once.
constexpr int kMaxBatchesPerWake = 8;
constexpr size_t kMinBatchSize = 64 * 1024;
// Error conditions in a row on the socket before the handle gives up (see OnPoll).
constexpr int kMaxPollErrors = 100;
constexpr size_t kMaxBatchSize = 256 * 1024 * 1024;

size_t Align4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

std::string PermissionHint() {
  return "Capturing needs privileges: run with sudo, give the node binary CAP_NET_RAW "
         "(sudo setcap cap_net_raw,cap_net_admin=eip \"$(readlink -f \"$(command -v node)\")\"), "
         "or use replay mode (netnet replay FILE).";
}

// A readable message for a failed pcap_activate (or pcap_set_*), with libpcap's own text.
std::string ActivateMessage(const std::string& device, int status, const char* detail) {
  std::string text = detail != nullptr ? detail : "";
  std::string head = "cannot capture on " + device + ": ";
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
      return head + "permission denied (" + text + "). " + PermissionHint();
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return head + "no such device (" + text +
             "); `netnet interfaces` lists the devices libpcap can capture on";
    case PCAP_ERROR_IFACE_NOT_UP:
      return head + "the interface is not up (" + text + ")";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return head + "no permission to enable promiscuous mode (" + text + "). " +
             PermissionHint();
    default:
      if (text.empty()) return head + pcap_statustostr(status);
      return head + pcap_statustostr(status) + ": " + text;
  }
}

const char* ActivateCode(int status) {
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return kErrPermission;
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return kErrNoSuchDevice;
    default:
      return kErrOpen;
  }
}

bool ReadInt(Napi::Env env, Napi::Object o, const char* key, int min, int max, int* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) {
    ThrowType(env, std::string("options.") + key + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowType(env, std::string("options.") + key + " must be a whole number from " +
                       std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  *out = static_cast<int>(d);
  return true;
}

}  // namespace

Napi::Function LiveHandle::Define(Napi::Env env) {
  return DefineClass(
      env, "LiveHandle",
      {
          InstanceMethod<&LiveHandle::Close>("close"),
          InstanceMethod<&LiveHandle::Stats>("stats"),
          InstanceMethod<&LiveHandle::SetFilter>("setFilter"),
          InstanceMethod<&LiveHandle::Inject>("inject"),
          InstanceAccessor<&LiveHandle::GetIsOpen>("isOpen"),
          InstanceAccessor<&LiveHandle::GetDevice>("device"),
          InstanceAccessor<&LiveHandle::GetLinktype>("linktype"),
          InstanceAccessor<&LiveHandle::GetSnaplen>("snaplen"),
          InstanceAccessor<&LiveHandle::GetNanosecond>("nanosecond"),
          InstanceAccessor<&LiveHandle::GetWarning>("warning"),
          InstanceAccessor<&LiveHandle::GetBatchSize>("batchSize"),
      });
}

LiveHandle::LiveHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LiveHandle>(info) {}

LiveHandle::~LiveHandle() {
  // An open handle holds a strong reference to itself, so this runs for an open handle only
  // when the environment is torn down (process or worker exit).
  if (state_ == State::kOpen) CloseNative();
}

bool LiveHandle::ReadOptions(Napi::Env env, Napi::Object o, Options* out) {
  Napi::Value device = o.Get("device");
  if (!device.IsString() || device.As<Napi::String>().Utf8Value().empty()) {
    ThrowType(env, "options.device must be a device name such as \"eth0\" or \"any\"");
    return false;
  }
  out->device = device.As<Napi::String>().Utf8Value();
  int batch = static_cast<int>(out->batchSize);
  if (!ReadInt(env, o, "snaplen", 1, 262144, &out->snaplen) ||
      !ReadInt(env, o, "timeoutMs", 0, 60000, &out->timeoutMs) ||
      !ReadInt(env, o, "bufferSize", 0, 2047 * 1024 * 1024, &out->bufferSize) ||
      !ReadInt(env, o, "batchSize", static_cast<int>(kMinBatchSize),
               static_cast<int>(kMaxBatchSize), &batch)) {
    return false;
  }
  out->batchSize = static_cast<size_t>(batch);
  Napi::Value promisc = o.Get("promiscuous");
  if (!promisc.IsUndefined()) {
    if (!promisc.IsBoolean()) {
      ThrowType(env, "options.promiscuous must be true or false");
      return false;
    }
    out->promiscuous = promisc.As<Napi::Boolean>().Value();
  }
  return true;
}

Napi::Value LiveHandle::OpenLive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsFunction() ||
      !info[2].IsFunction()) {
    return ThrowType(env, "openLive(options, onBatch, onError) needs an object and two functions");
  }
  Options options;
  if (!ReadOptions(env, info[0].As<Napi::Object>(), &options)) return env.Undefined();
  Napi::Object object = GetAddonData(env)->liveHandle.New({});
  if (env.IsExceptionPending()) return env.Undefined();
  LiveHandle* self = Unwrap(object);
  // On failure the object stays in state kNew, owns nothing, and is simply garbage-collected.
  if (!self->Open(env, options, info[1].As<Napi::Function>(), info[2].As<Napi::Function>())) {
    return env.Undefined();
  }
  return object;
}

bool LiveHandle::Open(Napi::Env env, const Options& o, Napi::Function onBatch,
                      Napi::Function onError) {
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  device_ = o.device;
  pcap_t* p = pcap_create(o.device.c_str(), errbuf);
  if (p == nullptr) {
    Throw(env, kErrOpen, "cannot capture on " + o.device + ": " + errbuf);
    return false;
  }
  // The pcap_set_* calls fail only on an already activated handle; checked all the same.
  int rc = pcap_set_snaplen(p, o.snaplen);
  if (rc == 0) rc = pcap_set_promisc(p, o.promiscuous ? 1 : 0);
  if (rc == 0) rc = pcap_set_timeout(p, o.timeoutMs);
  if (rc == 0 && o.bufferSize > 0) rc = pcap_set_buffer_size(p, o.bufferSize);
  if (rc != 0) {
    Throw(env, kErrOpen, ActivateMessage(o.device, rc, pcap_geterr(p)));
    pcap_close(p);
    return false;
  }
  // Nanosecond timestamps where the platform has them (Linux does); microseconds otherwise.
  (void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  rc = pcap_activate(p);
  if (rc < 0) {
    Throw(env, ActivateCode(rc), ActivateMessage(o.device, rc, pcap_geterr(p)));
    pcap_close(p);
    return false;
  }
  if (rc > 0) {
    // A warning (promiscuous mode not supported on `any`, say): capture works, tell the user.
    const char* detail = pcap_geterr(p);
    warning_ = pcap_statustostr(rc);
    if (detail != nullptr && detail[0] != '\0') warning_ += std::string(": ") + detail;
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    Throw(env, kErrOpen, "cannot capture on " + o.device + ": " + errbuf);
    pcap_close(p);
    return false;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    Throw(env, kErrOpen,
          "cannot capture on " + o.device + ": libpcap gives no descriptor to poll on it");
    pcap_close(p);
    return false;
  }
  linktype_ = DltToLinktype(pcap_datalink(p));
  snaplen_ = pcap_snapshot(p);
  nanosecond_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  bpf_u_int32 net = 0;
  bpf_u_int32 mask = 0;
  // The netmask makes `ip broadcast` filters work; devices without IPv4 (`any`) have none.
  if (pcap_lookupnet(o.device.c_str(), &net, &mask, errbuf) == 0) netmask_ = mask;

  ringBytes_ = static_cast<size_t>(o.bufferSize);
  maxRecord_ = kRecordHeader + Align4(static_cast<size_t>(snaplen_));
  // At least two records of snaplen bytes, and whole 4-byte words (the Uint32Array view).
  batchSize_ = Align4(o.batchSize < 2 * maxRecord_ ? 2 * maxRecord_ : o.batchSize);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, batchSize_);
  if (env.IsExceptionPending()) {
    pcap_close(p);
    return false;
  }
  batchRef_ = Napi::Persistent(ab);
  batch_ = static_cast<uint8_t*>(ab.Data());

  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Throw(env, kErrOpen, "cannot capture on " + o.device + ": no event loop");
    pcap_close(p);
    batchRef_.Reset();
    return false;
  }
  auto* poller = new Poller();
  int uvrc = uv_poll_init(loop, &poller->poll, fd);
  if (uvrc != 0) {
    delete poller;
    pcap_close(p);
    batchRef_.Reset();
    Throw(env, kErrOpen, "cannot capture on " + o.device + ": uv_poll_init: " + uv_strerror(uvrc));
    return false;
  }
  poller->poll.data = poller;
  poller->owner = this;
  pcap_ = p;
  poller_ = poller;
  state_ = State::kOpen;
  // From here on CloseNative releases everything.
  if (napi_add_async_cleanup_hook(env, OnTeardown, poller, &poller->hook) != napi_ok) {
    poller->hook = nullptr;
  }
  uvrc = uv_poll_start(&poller->poll, UV_READABLE, OnPoll);
  if (uvrc != 0) {
    CloseNative();
    batchRef_.Reset();
    Throw(env, kErrOpen,
          "cannot capture on " + o.device + ": uv_poll_start: " + uv_strerror(uvrc));
    return false;
  }
  onBatch_ = Napi::Persistent(onBatch);
  onError_ = Napi::Persistent(onError);
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "netnet:pcap");
  // An open handle keeps itself alive (as an open socket does): it stops only when closed.
  Ref();
  return true;
}

void LiveHandle::OnPoll(uv_poll_t* poll, int status, int /*events*/) {
  auto* poller = static_cast<Poller*>(poll->data);
  LiveHandle* self = poller->owner;
  if (self == nullptr || self->state_ != State::kOpen) return;
  Napi::HandleScope scope(self->Env());
  if (status < 0) {
    // libuv reports an error condition on the socket (POLLERR) as UV_EBADF and stops the
    // watcher. libpcap reads the socket error in its next dispatch: if the interface is gone
    // it returns an error whose text says so; if the interface was only taken down, it
    // returns normally and capture resumes when the interface comes back up, as tcpdump's
    // does. A condition that does not clear stops the handle after a few tries.
    if (!self->EnsureBatchBuffer()) return;
    self->wakeBytes_ = 0;
    int n = pcap_dispatch(self->pcap_, -1, OnPacket, reinterpret_cast<u_char*>(self));
    std::string reason = n == PCAP_ERROR ? std::string(pcap_geterr(self->pcap_))
                                         : std::string("polling the capture descriptor failed: ") +
                                               uv_strerror(status);
    if (self->batchCount_ > 0 && !self->FlushBatch()) return;
    if (n == PCAP_ERROR || ++self->pollErrors_ > kMaxPollErrors) {
      self->Fail(reason);
      return;
    }
    int rc = uv_poll_start(&self->poller_->poll, UV_READABLE, OnPoll);
    if (rc != 0) self->Fail(std::string("uv_poll_start: ") + uv_strerror(rc));
    return;
  }
  self->pollErrors_ = 0;
  self->Drain();
}

void LiveHandle::Drain() {
  if (!EnsureBatchBuffer()) return;
  wakeBytes_ = 0;
  for (int round = 0; round < kMaxBatchesPerWake; round++) {
    // -1: everything the ring holds now. OnPacket calls pcap_breakloop when the batch buffer
    // cannot take another record of snaplen bytes, so dispatch returns PCAP_ERROR_BREAK with
    // the ring position kept, and the next dispatch goes on from the same packet.
    int n = pcap_dispatch(pcap_, -1, OnPacket, reinterpret_cast<u_char*>(this));
    if (n == PCAP_ERROR) {
      std::string message = std::string("reading packets failed: ") + pcap_geterr(pcap_);
      if (batchCount_ > 0 && !FlushBatch()) return;
      Fail(message);
      return;
    }
    bool full = n == PCAP_ERROR_BREAK;
    if (batchCount_ > 0 && !FlushBatch()) return;
    if (!full) return;
  }
}

void LiveHandle::OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
  auto* self = reinterpret_cast<LiveHandle*>(user);
  size_t caplen = h->caplen;
  size_t room = self->batchSize_ - self->batchUsed_;
  if (kRecordHeader + Align4(caplen) > room) {
    // Cannot happen (we break the loop while a snaplen record still fits, and libpcap never
    // gives more than snaplen); if it ever did, keep the packet, cut, and count it.
    if (room < kRecordHeader + 4) {
      self->truncated_++;
      pcap_breakloop(self->pcap_);
      return;
    }
    caplen = (room - kRecordHeader) & ~static_cast<size_t>(3);
    self->truncated_++;
  }
  uint8_t* at = self->batch_ + self->batchUsed_;
  uint32_t header[4] = {
      static_cast<uint32_t>(h->ts.tv_sec),
      static_cast<uint32_t>(self->nanosecond_ ? h->ts.tv_usec : h->ts.tv_usec * 1000),
      static_cast<uint32_t>(caplen),
      h->len,
  };
  std::memcpy(at, header, kRecordHeader);
  std::memcpy(at + kRecordHeader, bytes, caplen);
  size_t padded = Align4(caplen);
  if (padded != caplen) std::memset(at + kRecordHeader + caplen, 0, padded - caplen);
  self->batchUsed_ += kRecordHeader + padded;
  self->batchCount_++;
  // A TPACKET_V3 frame: its header and sockaddr_ll (about 80 bytes with alignment), then the
  // captured bytes, padded to 16.
  self->wakeBytes_ += 80 + ((static_cast<uint64_t>(h->caplen) + 15) & ~static_cast<uint64_t>(15));
  if (self->wakeBytes_ > self->peakWakeBytes_) self->peakWakeBytes_ = self->wakeBytes_;
  if (self->batchSize_ - self->batchUsed_ < self->maxRecord_) pcap_breakloop(self->pcap_);
}

bool LiveHandle::EnsureBatchBuffer() {
  Napi::Env env = Env();
  Napi::ArrayBuffer ab = batchRef_.Value();
  if (!ab.IsEmpty() && !ab.IsDetached() && ab.ByteLength() == batchSize_) return true;
  // JavaScript transferred the buffer away (postMessage with a transfer list): make another.
  Napi::ArrayBuffer fresh = Napi::ArrayBuffer::New(env, batchSize_);
  if (env.IsExceptionPending()) {
    Napi::Error e = env.GetAndClearPendingException();
    Fail("cannot allocate the batch buffer: " + e.Message());
    return false;
  }
  batchRef_ = Napi::Persistent(fresh);
  batch_ = static_cast<uint8_t*>(fresh.Data());
  return true;
}

bool LiveHandle::FlushBatch() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  size_t used = batchUsed_;
  uint32_t count = batchCount_;
  batchUsed_ = 0;
  batchCount_ = 0;
  batches_++;
  packets_ += count;
  callbackDepth_++;
  // MakeCallback, not Call: this runs from libuv, so Node must drain the microtask and
  // nextTick queues afterwards and see the right async context, as for any I/O callback.
  (void)onBatch_.MakeCallback(Value(),
                              {batchRef_.Value(), Napi::Number::New(env, static_cast<double>(used)),
                               Napi::Number::New(env, count)},
                              *asyncContext_);
  callbackDepth_--;
  if (env.IsExceptionPending()) {
    // An exception in the callback is an uncaught exception, as in any event callback.
    Napi::Error error = env.GetAndClearPendingException();
    napi_fatal_exception(env, error.Value());
    return false;
  }
  if (state_ != State::kOpen) {
    // closed from inside the callback: finish what Close had to leave for later.
    ReleaseJs();
    return false;
  }
  return EnsureBatchBuffer();
}

void LiveHandle::Fail(const std::string& message) {
  if (failed_ || state_ != State::kOpen) return;
  failed_ = true;
  // Stop reading; keep the handle open so stats() still answers until close().
  uv_poll_stop(&poller_->poll);
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Error error = MakeError(env, kErrRead, "capture on " + device_ + " stopped: " + message);
  callbackDepth_++;
  (void)onError_.MakeCallback(Value(), {error.Value()}, *asyncContext_);
  callbackDepth_--;
  if (env.IsExceptionPending()) {
    Napi::Error thrown = env.GetAndClearPendingException();
    napi_fatal_exception(env, thrown.Value());
  }
  if (state_ != State::kOpen) ReleaseJs();
}

void LiveHandle::CloseNative() {
  if (state_ != State::kOpen) return;
  state_ = State::kClosed;
  if (poller_ != nullptr) {
    // uv_close stops the watcher at once (before libpcap closes the descriptor); the Poller is
    // freed in the close callback, which also ends the teardown hook.
    poller_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&poller_->poll), OnPollClosed);
    poller_ = nullptr;
  }
  if (pcap_ != nullptr) {
    pcap_close(pcap_);
    pcap_ = nullptr;
  }
}

void LiveHandle::ReleaseJs() {
  if (callbackDepth_ > 0) return;
  onBatch_.Reset();
  onError_.Reset();
  asyncContext_.reset();
  batchRef_.Reset();
  batch_ = nullptr;
}

void LiveHandle::OnPollClosed(uv_handle_t* handle) {
  auto* poller = static_cast<Poller*>(handle->data);
  if (poller->hook != nullptr) napi_remove_async_cleanup_hook(poller->hook);
  delete poller;
}

void LiveHandle::OnTeardown(napi_async_cleanup_hook_handle /*hook*/, void* arg) {
  // The environment is going away with the handle still open: close it so libuv's loop can
  // close. Removing the hook (in OnPollClosed) tells Node the cleanup has finished.
  auto* poller = static_cast<Poller*>(arg);
  if (poller->owner != nullptr) poller->owner->CloseNative();
}

bool LiveHandle::CheckOpen(Napi::Env env, const char* what) {
  if (state_ == State::kOpen) return true;
  if (state_ == State::kNew) {
    Throw(env, kErrClosed, std::string(what) + ": this capture handle was never opened");
  } else {
    Throw(env, kErrClosed,
          std::string(what) + ": the capture handle on " + device_ + " is already closed");
  }
  return false;
}

Napi::Value LiveHandle::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "close")) return env.Undefined();
  CloseNative();
  ReleaseJs();
  Unref();
  return env.Undefined();
}

Napi::Value LiveHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "stats")) return env.Undefined();
  struct pcap_stat ps;
  std::memset(&ps, 0, sizeof(ps));
  if (pcap_stats(pcap_, &ps) != 0) {
    return Throw(env, kErrStats, "stats on " + device_ + ": " + pcap_geterr(pcap_));
  }
  // The counters are u_int and wrap at 2^32; unsigned subtraction gives the delta modulo 2^32,
  // exact as long as fewer than 2^32 packets pass between two calls.
  totalRecv_ += static_cast<uint32_t>(ps.ps_recv - lastRecv_);
  totalDrop_ += static_cast<uint32_t>(ps.ps_drop - lastDrop_);
  totalIfDrop_ += static_cast<uint32_t>(ps.ps_ifdrop - lastIfDrop_);
  lastRecv_ = ps.ps_recv;
  lastDrop_ = ps.ps_drop;
  lastIfDrop_ = ps.ps_ifdrop;
  Napi::Object out = Napi::Object::New(env);
  // Doubles: exact to 2^53 packets, centuries at any packet rate.
  out.Set("received", Napi::Number::New(env, static_cast<double>(totalRecv_)));
  out.Set("dropped", Napi::Number::New(env, static_cast<double>(totalDrop_)));
  out.Set("ifDropped", Napi::Number::New(env, static_cast<double>(totalIfDrop_)));
  out.Set("packets", Napi::Number::New(env, static_cast<double>(packets_)));
  out.Set("batches", Napi::Number::New(env, static_cast<double>(batches_)));
  out.Set("truncated", Napi::Number::New(env, static_cast<double>(truncated_)));
  out.Set("ringBytes", Napi::Number::New(env, static_cast<double>(ringBytes_)));
  out.Set("ringPeakBytes", Napi::Number::New(env, static_cast<double>(peakWakeBytes_)));
  peakWakeBytes_ = 0;
  return out;
}

Napi::Value LiveHandle::SetFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    return ThrowType(env, "setFilter(expression) needs a string");
  }
  if (!CheckOpen(env, "setFilter")) return env.Undefined();
  std::string expr = info[0].As<Napi::String>().Utf8Value();
  struct bpf_program program;
  if (pcap_compile(pcap_, &program, expr.c_str(), 1, netmask_) != 0) {
    return Throw(env, kErrFilter, "invalid filter \"" + expr + "\": " + pcap_geterr(pcap_));
  }
  int rc = pcap_setfilter(pcap_, &program);
  pcap_freecode(&program);
  if (rc != 0) {
    return Throw(env, kErrFilter,
                 "cannot set filter \"" + expr + "\" on " + device_ + ": " + pcap_geterr(pcap_));
  }
  return env.Undefined();
}

Napi::Value LiveHandle::Inject(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return ThrowType(env, "inject(frame) needs a Uint8Array");
  }
  if (!CheckOpen(env, "inject")) return env.Undefined();
  Napi::Uint8Array frame = info[0].As<Napi::Uint8Array>();
  int sent = pcap_inject(pcap_, frame.Data(), frame.ByteLength());
  if (sent < 0) return Throw(env, kErrInject, "inject on " + device_ + ": " + pcap_geterr(pcap_));
  return Napi::Number::New(env, sent);
}

Napi::Value LiveHandle::GetIsOpen(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), state_ == State::kOpen);
}

Napi::Value LiveHandle::GetDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), device_);
}

Napi::Value LiveHandle::GetLinktype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), linktype_);
}

Napi::Value LiveHandle::GetSnaplen(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), snaplen_);
}

Napi::Value LiveHandle::GetNanosecond(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), nanosecond_);
}

Napi::Value LiveHandle::GetWarning(const Napi::CallbackInfo& info) {
  if (warning_.empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), warning_);
}

Napi::Value LiveHandle::GetBatchSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(batchSize_));
}

}  // namespace netnet
