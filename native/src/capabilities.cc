// dropCapabilities(sets): clears the capability sets of EVERY thread of this process, for the
// daemon once its capture handles are open (src/daemon/privileges.ts, docs/capture.md).
//
// On Linux capabilities belong to threads, not to the process: capset(2), prctl(PR_CAP_AMBIENT)
// and prctl(PR_CAPBSET_DROP) change only the calling thread. glibc hides this for setuid(2) by
// signalling every thread to make the same call (its SIGSETXID), and libcap's libpsx does the
// same for capset; Node offers neither. So the calling thread clears its own sets, then asks
// each other thread, listed in /proc/self/task, to clear its own from a signal handler, and
// waits until every thread listed has answered (threads started meanwhile inherit their
// creator's sets and are found by the next listing).
//
// The signal is 32 (glibc's SIGCANCEL). Node starts a watchdog thread for SIGUSR1 (the
// inspector's) with every signal blocked that a program may block, so no ordinary signal ever
// reaches it, and a thread left out would keep the capabilities for anyone who takes over the
// process. glibc keeps 32 and 33 deliverable in every thread (pthread_sigmask never blocks
// them); 33 is its own setuid broadcast, 32 serves only pthread_cancel, which neither Node, V8
// nor libuv call. glibc's sigaction() refuses both, so the handler is installed with the raw
// system call, in the form glibc itself gives the kernel (borrowed from a spare signal), and the
// previous disposition is put back once every signal sent has been handled.

#include "capabilities.h"

#include <dirent.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "dropCapabilities knows the kernel's sigaction layout of x86-64 and arm64 only"
#endif

namespace netnet {

namespace {

// glibc's SIGCANCEL (__SIGRTMIN): see the top of this file.
constexpr int kSignal = 32;
// How long the other threads have to answer. They answer within microseconds when the CPU is
// free; a thread that does not answer at all has the signal blocked by a raw system call.
constexpr int kAnswerMs = 2000;
// Threads that can answer in one call; Node has a dozen or so.
constexpr int kMaxThreads = 1024;
// Capability numbers tried for the bounding set (the kernel answers EINVAL past its last).
constexpr int kMaxCap = 64;

enum Sets : int { kBounding = 0, kAll = 1 };

// The rt_sigaction(2) argument as the kernel reads it on x86-64 and arm64.
struct KernelSigaction {
  uintptr_t handler;
  unsigned long flags;
  uintptr_t restorer;
  uint64_t mask;
};

// Shared with the signal handler: lock-free atomics only.
std::atomic<int> gSets{kAll};
std::atomic<pid_t> gPid{0};
std::atomic<int> gAnswers{0};
std::atomic<pid_t> gAnswerTid[kMaxThreads];
std::atomic<int> gAnswerError[kMaxThreads];

pid_t ThreadId() { return static_cast<pid_t>(syscall(SYS_gettid)); }

int RtSigaction(int sig, const KernelSigaction* act, KernelSigaction* old) {
  return static_cast<int>(syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t)));
}

// Clears the calling thread's sets; returns 0 or an errno. System calls only: it runs in a
// signal handler. The bounding set goes first (dropping from it needs CAP_SETPCAP in the
// effective set, which the last step clears); without CAP_SETPCAP it stays as it is, unless
// the bounding set is all that was asked for. The ambient set goes before the permitted and
// inheritable sets it depends on.
int DropOwn(int sets) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return errno;
  const bool setpcap =
      (data[CAP_TO_INDEX(CAP_SETPCAP)].effective & CAP_TO_MASK(CAP_SETPCAP)) != 0;
  if (setpcap) {
    for (int cap = 0; cap < kMaxCap; cap++) {
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return errno;
    }
  } else if (sets == kBounding) {
    return EPERM;
  }
  if (sets == kBounding) return 0;
  // EINVAL: a kernel before 4.3, which has no ambient set.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return errno;
  }
  header = {_LINUX_CAPABILITY_VERSION_3, 0};
  std::memset(data, 0, sizeof(data));
  if (syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

// Runs in each other thread. Acts only on our own tgkill (a signal 32 from anywhere else is
// ignored) and records which thread answered and how.
void OnSignal(int sig, siginfo_t* info, void*) {
  if (sig != kSignal || info == nullptr || info->si_code != SI_TKILL ||
      info->si_pid != gPid.load()) {
    return;
  }
  const int saved = errno;
  const int error = DropOwn(gSets.load());
  const int slot = gAnswers.fetch_add(1);
  if (slot < kMaxThreads) {
    gAnswerError[slot].store(error);
    gAnswerTid[slot].store(ThreadId(), std::memory_order_release);
  }
  errno = saved;
}

// The handler in the kernel's form, as glibc's sigaction() writes it (with glibc's signal
// return trampoline where the architecture needs one): installed on SIGRTMAX, read back with
// the raw call, and SIGRTMAX put back as it was. Returns 0 or an errno.
int KernelFormOfHandler(KernelSigaction* out) {
  struct sigaction ours {};
  struct sigaction saved {};
  ours.sa_sigaction = OnSignal;
  ours.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigfillset(&ours.sa_mask);
  const int spare = SIGRTMAX;
  if (sigaction(spare, &ours, &saved) != 0) return errno;
  const int read = RtSigaction(spare, nullptr, out);
  const int error = read != 0 ? errno : 0;
  sigaction(spare, &saved, nullptr);
  return error;
}

bool Answered(pid_t tid) {
  const int n = std::min(gAnswers.load(), kMaxThreads);
  for (int i = 0; i < n; i++) {
    if (gAnswerTid[i].load(std::memory_order_acquire) == tid) return true;
  }
  return false;
}

// The ids of this process's threads, or an errno.
int ListThreads(std::vector<pid_t>* out) {
  out->clear();
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return errno;
  for (dirent* e = readdir(dir); e != nullptr; e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out->push_back(static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10)));
  }
  closedir(dir);
  return 0;
}

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string Errno(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

// The work of dropCapabilities; returns the number of threads cleared, or sets `failure`.
int DropEverywhere(int sets, std::string* failure) {
  static std::mutex one_at_a_time;
  std::lock_guard<std::mutex> lock(one_at_a_time);
  const pid_t self = ThreadId();
  gSets.store(sets);
  gPid.store(getpid());
  gAnswers.store(0);
  for (int i = 0; i < kMaxThreads; i++) gAnswerTid[i].store(0);

  KernelSigaction action{};
  KernelSigaction previous{};
  int error = KernelFormOfHandler(&action);
  if (error != 0) {
    *failure = Errno("cannot prepare the signal handler", error);
    return -1;
  }
  // The handler first: if it cannot be installed, nothing has changed yet.
  if (RtSigaction(kSignal, &action, &previous) != 0) {
    *failure = Errno("cannot install the signal handler", errno);
    return -1;
  }
  error = DropOwn(sets);
  if (error != 0) {
    RtSigaction(kSignal, &previous, nullptr);
    *failure = Errno("the calling thread", error);
    return -1;
  }

  std::vector<pid_t> signalled;
  std::vector<pid_t> tids;
  const int64_t deadline = NowMs() + kAnswerMs;
  for (;;) {
    error = ListThreads(&tids);
    if (error != 0) {
      *failure = Errno("cannot list /proc/self/task", error);
      break;
    }
    std::string silent;
    for (pid_t tid : tids) {
      if (tid == self || Answered(tid)) continue;
      if (std::find(signalled.begin(), signalled.end(), tid) == signalled.end()) {
        if (syscall(SYS_tgkill, gPid.load(), tid, kSignal) != 0) {
          if (errno == ESRCH) continue;  // it ended meanwhile
          *failure = Errno(("cannot signal thread " + std::to_string(tid)).c_str(), errno);
          break;
        }
        signalled.push_back(tid);
      }
      silent += (silent.empty() ? "" : ", ") + std::to_string(tid);
    }
    if (!failure->empty() || silent.empty()) break;
    if (NowMs() > deadline) {
      *failure = "threads " + silent + " did not answer within " + std::to_string(kAnswerMs) +
                 " ms (signal 32 blocked?)";
      break;
    }
    timespec pause = {0, 1000000};
    nanosleep(&pause, nullptr);
  }
  const int answers = gAnswers.load();
  if (failure->empty() && answers > kMaxThreads) {
    *failure = "more than " + std::to_string(kMaxThreads) + " threads";
  }
  for (int i = 0; failure->empty() && i < std::min(answers, kMaxThreads); i++) {
    const int e = gAnswerError[i].load();
    if (e != 0) *failure = Errno(("thread " + std::to_string(gAnswerTid[i].load())).c_str(), e);
  }
  // Put the previous disposition back only when no signal of ours can still be pending: with
  // the default one, a late signal 32 would end the process.
  if (static_cast<size_t>(answers) >= signalled.size()) RtSigaction(kSignal, &previous, nullptr);
  return failure->empty() ? answers + 1 : -1;
}

}  // namespace

Napi::Value DropCapabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string usage = "dropCapabilities(\"bounding\" | \"all\")";
  if (info.Length() < 1 || !info[0].IsString()) return ThrowType(env, usage);
  const std::string which = info[0].As<Napi::String>().Utf8Value();
  if (which != "bounding" && which != "all") return ThrowType(env, usage);
  std::string failure;
  const int threads = DropEverywhere(which == "all" ? kAll : kBounding, &failure);
  if (threads < 0) {
    return Throw(env, kErrCapabilities, "cannot clear the capabilities of every thread: " + failure);
  }
  return Napi::Number::New(env, threads);
}

}  // namespace netnet
