# The flat Python parser (native/python_flat.c), built at install by node-gyp. It compiles the
# tree-sitter runtime and the Python grammar from the sources the `tree-sitter` and
# `tree-sitter-python` packages ship, so the three are pinned together by package-lock.json.
{
  "variables": {
    "runtime": "<!(node -p \"require('path').relative('.', require('path').dirname(require.resolve('tree-sitter/package.json')))\")",
    "grammar": "<!(node -p \"require('path').relative('.', require('path').dirname(require.resolve('tree-sitter-python/package.json')))\")"
  },
  "targets": [
    {
      "target_name": "python_flat",
      "sources": [
        "native/python_flat.c",
        "<(runtime)/vendor/tree-sitter/lib/src/lib.c",
        "<(grammar)/src/parser.c",
        "<(grammar)/src/scanner.c"
      ],
      "include_dirs": [
        "<(runtime)/vendor/tree-sitter/lib/include",
        "<(runtime)/vendor/tree-sitter/lib/src",
        "<(grammar)/src"
      ],
      "cflags_c": ["-std=c11", "-O2", "-fvisibility=hidden", "-Wno-unused-parameter", "-Wno-unused-but-set-variable", "-Wno-unused-value"],
      "defines": ["NAPI_VERSION=8", "_DEFAULT_SOURCE"]
    }
  ]
}
