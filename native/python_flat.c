/*
 * Parses Python source with tree-sitter and returns the whole tree as one flat Int32Array, in one
 * call per file: no node objects, no per-node calls from JavaScript, the tree freed here.
 *
 * Built at install by node-gyp from tree-sitter's runtime (lib.c, vendored by the `tree-sitter`
 * package) and the Python grammar (parser.c and scanner.c of `tree-sitter-python`), both pinned by
 * package-lock.json. src/parse/flat.ts reads the arrays; its header documents the layout, which
 * must match the FLAT_* constants below.
 *
 * Context-aware (one parser per Node environment), so it loads in worker threads.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

const TSLanguage *tree_sitter_python(void);

/* One node: FLAT_STRIDE int32 values, nodes in pre-order (a parent before its children). */
enum {
  FLAT_SYMBOL,      /* grammar symbol (type id); 65535 for ERROR */
  FLAT_FIELD,       /* field id in its parent, 0 for none */
  FLAT_FLAGS,       /* FLAG_* bits */
  FLAT_PARENT,      /* index of the parent node, -1 for the root */
  FLAT_END,         /* index just past the node's last descendant */
  FLAT_START_INDEX, /* UTF-16 offsets into the source */
  FLAT_END_INDEX,
  FLAT_START_ROW,   /* 0-based rows; columns in UTF-16 units */
  FLAT_START_COLUMN,
  FLAT_END_ROW,
  FLAT_END_COLUMN,
  FLAT_STRIDE
};

enum { FLAG_NAMED = 1, FLAG_MISSING = 2, FLAG_HAS_ERROR = 4 };

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, NULL, "python_flat: " #call " failed");          \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static void free_parser(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ts_parser_delete((TSParser *)data);
}

/* The parser of this environment, created on first use. */
static TSParser *parser_for(napi_env env) {
  TSParser *parser = NULL;
  if (napi_get_instance_data(env, (void **)&parser) == napi_ok && parser != NULL) return parser;
  parser = ts_parser_new();
  if (!ts_parser_set_language(parser, tree_sitter_python())) {
    ts_parser_delete(parser);
    return NULL;
  }
  if (napi_set_instance_data(env, parser, free_parser, NULL) != napi_ok) {
    ts_parser_delete(parser);
    return NULL;
  }
  return parser;
}

static void fill(int32_t *out, TSTreeCursor *cursor, int32_t parent) {
  TSNode node = ts_tree_cursor_current_node(cursor);
  TSPoint start = ts_node_start_point(node);
  TSPoint end = ts_node_end_point(node);
  out[FLAT_SYMBOL] = (int32_t)ts_node_symbol(node);
  out[FLAT_FIELD] = (int32_t)ts_tree_cursor_current_field_id(cursor);
  out[FLAT_FLAGS] = (ts_node_is_named(node) ? FLAG_NAMED : 0) | (ts_node_is_missing(node) ? FLAG_MISSING : 0) |
                    (ts_node_has_error(node) ? FLAG_HAS_ERROR : 0);
  out[FLAT_PARENT] = parent;
  out[FLAT_END] = 0;
  /* With UTF-16 input, tree-sitter counts offsets and columns in bytes. */
  out[FLAT_START_INDEX] = (int32_t)(ts_node_start_byte(node) / 2);
  out[FLAT_END_INDEX] = (int32_t)(ts_node_end_byte(node) / 2);
  out[FLAT_START_ROW] = (int32_t)start.row;
  out[FLAT_START_COLUMN] = (int32_t)(start.column / 2);
  out[FLAT_END_ROW] = (int32_t)end.row;
  out[FLAT_END_COLUMN] = (int32_t)(end.column / 2);
}

/* parse(source: string): Int32Array — the tree of `source`, FLAT_STRIDE values per node. */
static napi_value parse(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_string) {
    napi_throw_type_error(env, NULL, "python_flat.parse: expected the source as a string");
    return NULL;
  }
  size_t length = 0;
  CHECK(napi_get_value_string_utf16(env, argv[0], NULL, 0, &length));
  if (length > UINT32_MAX / 2 - 1) {
    napi_throw_range_error(env, NULL, "python_flat.parse: source too large");
    return NULL;
  }
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (text == NULL) {
    napi_throw_error(env, NULL, "python_flat.parse: out of memory");
    return NULL;
  }
  size_t copied = 0;
  if (napi_get_value_string_utf16(env, argv[0], text, length + 1, &copied) != napi_ok) {
    free(text);
    napi_throw_error(env, NULL, "python_flat.parse: cannot read the source");
    return NULL;
  }
  TSParser *parser = parser_for(env);
  if (parser == NULL) {
    free(text);
    napi_throw_error(env, NULL, "python_flat.parse: the Python grammar's ABI does not match the tree-sitter runtime");
    return NULL;
  }
  TSTree *tree = ts_parser_parse_string_encoding(parser, NULL, (const char *)text, (uint32_t)(copied * 2), TSInputEncodingUTF16LE);
  free(text);
  if (tree == NULL) {
    napi_throw_error(env, NULL, "python_flat.parse: tree-sitter returned no tree");
    return NULL;
  }
  TSNode root = ts_tree_root_node(tree);
  size_t count = ts_node_descendant_count(root);
  napi_value buffer;
  void *data = NULL;
  if (napi_create_arraybuffer(env, count * FLAT_STRIDE * sizeof(int32_t), &data, &buffer) != napi_ok) {
    ts_tree_delete(tree);
    napi_throw_error(env, NULL, "python_flat.parse: cannot allocate the node array");
    return NULL;
  }
  int32_t *out = data;
  /* Pre-order walk; `stack` holds the indices of the open ancestors. */
  int32_t *stack = malloc((count + 1) * sizeof(int32_t));
  if (stack == NULL) {
    ts_tree_delete(tree);
    napi_throw_error(env, NULL, "python_flat.parse: out of memory");
    return NULL;
  }
  size_t depth = 0;
  size_t n = 0;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    if (n == count) break; /* descendant_count is exact; never write past it */
    fill(out + n * FLAT_STRIDE, &cursor, depth == 0 ? -1 : stack[depth - 1]);
    stack[depth++] = (int32_t)n;
    n++;
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    /* A leaf: close it and every ancestor whose last child it ends. */
    for (;;) {
      out[stack[--depth] * FLAT_STRIDE + FLAT_END] = (int32_t)n;
      if (ts_tree_cursor_goto_next_sibling(&cursor)) break;
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        depth = 0;
        break;
      }
    }
    if (depth == 0) break;
  }
  while (depth > 0) out[stack[--depth] * FLAT_STRIDE + FLAT_END] = (int32_t)n;
  ts_tree_cursor_delete(&cursor);
  free(stack);
  ts_tree_delete(tree);
  napi_value array;
  CHECK(napi_create_typedarray(env, napi_int32_array, n * FLAT_STRIDE, buffer, 0, &array));
  return array;
}

/* The name of each symbol (index = symbol id), for reading types by name. */
static napi_value symbol_names(napi_env env, const TSLanguage *language) {
  uint32_t count = ts_language_symbol_count(language);
  napi_value names;
  CHECK(napi_create_array_with_length(env, count, &names));
  for (uint32_t i = 0; i < count; i++) {
    const char *name = ts_language_symbol_name(language, (TSSymbol)i);
    napi_value value;
    CHECK(napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &value));
    CHECK(napi_set_element(env, names, i, value));
  }
  return names;
}

/* The name of each field (index = field id; 0 is no field). */
static napi_value field_names(napi_env env, const TSLanguage *language) {
  uint32_t count = ts_language_field_count(language);
  napi_value names;
  CHECK(napi_create_array_with_length(env, count + 1, &names));
  for (uint32_t i = 0; i <= count; i++) {
    const char *name = i == 0 ? NULL : ts_language_field_name_for_id(language, (TSFieldId)i);
    napi_value value;
    CHECK(napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &value));
    CHECK(napi_set_element(env, names, i, value));
  }
  return names;
}

/*
 * trim(): hands the C heap's free memory back to the system (glibc's malloc_trim); returns
 * whether any was. Parse workers free their trees into per-thread arenas that glibc keeps for
 * reuse, which would otherwise stay resident for the rest of the run once the workers end.
 */
static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#if defined(__GLIBC__)
  CHECK(napi_get_boolean(env, malloc_trim(0) != 0, &result));
#else
  CHECK(napi_get_boolean(env, false, &result));
#endif
  return result;
}

static napi_value number(napi_env env, uint32_t value) {
  napi_value result;
  CHECK(napi_create_uint32(env, value, &result));
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  const TSLanguage *language = tree_sitter_python();
  napi_value fn;
  CHECK(napi_create_function(env, "parse", NAPI_AUTO_LENGTH, parse, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "parse", fn));
  CHECK(napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "trim", fn));
  CHECK(napi_set_named_property(env, exports, "symbolNames", symbol_names(env, language)));
  CHECK(napi_set_named_property(env, exports, "fieldNames", field_names(env, language)));
  CHECK(napi_set_named_property(env, exports, "stride", number(env, FLAT_STRIDE)));
  CHECK(napi_set_named_property(env, exports, "languageVersion", number(env, ts_language_abi_version(language))));
  CHECK(napi_set_named_property(env, exports, "minLanguageVersion", number(env, TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION)));
  CHECK(napi_set_named_property(env, exports, "maxLanguageVersion", number(env, TREE_SITTER_LANGUAGE_VERSION)));
  return exports;
}
