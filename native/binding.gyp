# net-net's libpcap addon. Built by `npm run build:native` (and, optionally, on install by
# native/build.mjs); see docs/capture.md.
{
  "targets": [
    {
      "target_name": "netnet_pcap",
      "sources": [
        "src/addon.cc",
        "src/bpf-program.cc",
        "src/capabilities.cc",
        "src/errors.cc",
        "src/live-handle.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "libraries": ["-lpcap"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wunused-parameter"],
      "cflags_cc!": ["-Wno-unused-parameter"]
    }
  ]
}
