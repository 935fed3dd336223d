// LINKTYPE_ values (what capture files and net-net's decoder use) and DLT_ values (what
// libpcap's live handles and its BPF compiler use) are the same numbers except for a few
// link types whose DLT_ value differs between platforms; raw IP is the one that matters here
// (LINKTYPE_RAW 101, DLT_RAW 12 on Linux, 14 on OpenBSD). The addon speaks LINKTYPE_ values
// to JavaScript and converts at the libpcap boundary, as libpcap does for its own files.
#pragma once

#include <pcap/pcap.h>

namespace netnet {

inline constexpr int kLinktypeRaw = 101;

// A LINKTYPE_ value (or the platform DLT_RAW values 12 and 14 old files carry) as a DLT_ value.
inline int LinktypeToDlt(int linktype) {
  if (linktype == kLinktypeRaw || linktype == 12 || linktype == 14) return DLT_RAW;
  if (linktype == 100) return DLT_ATM_RFC1483;
  if (linktype == 102) return DLT_SLIP_BSDOS;
  if (linktype == 103) return DLT_PPP_BSDOS;
  if (linktype == 106) return DLT_ATM_CLIP;
  return linktype;
}

// A DLT_ value from pcap_datalink as a LINKTYPE_ value.
inline int DltToLinktype(int dlt) {
  if (dlt == DLT_RAW) return kLinktypeRaw;
  if (dlt == DLT_ATM_RFC1483) return 100;
  if (dlt == DLT_SLIP_BSDOS) return 102;
  if (dlt == DLT_PPP_BSDOS) return 103;
  if (dlt == DLT_ATM_CLIP) return 106;
  return dlt;
}

}  // namespace netnet
