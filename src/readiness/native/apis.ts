/**
 * The C-API facts the native checks rely on: borrowed-reference APIs and their strong-reference
 * replacements, and the names that show a module already prepares for free-threading.
 *
 * Stage: readiness. Data from shared/FREE-THREADING.md §2.2 and §6.2 (CPython's free-threading
 * extension how-to); the replacements were added in CPython 3.13 (`PyCell_Get` is older) and are
 * available to older Pythons through pythoncapi-compat.
 */

/** Borrowed-reference APIs on containers another thread may change, with the API to use instead. */
export const BORROWED: ReadonlyMap<string, string> = new Map([
  ['PyList_GetItem', 'PyList_GetItemRef'],
  ['PyList_GET_ITEM', 'PyList_GetItemRef'],
  ['PyDict_GetItem', 'PyDict_GetItemRef'],
  ['PyDict_GetItemWithError', 'PyDict_GetItemRef'],
  ['PyDict_GetItemString', 'PyDict_GetItemStringRef'],
  ['_PyDict_GetItemStringWithError', 'PyDict_GetItemStringRef'],
  ['PyDict_SetDefault', 'PyDict_SetDefaultRef'],
  ['PyWeakref_GetObject', 'PyWeakref_GetRef'],
  ['PyWeakref_GET_OBJECT', 'PyWeakref_GetRef'],
  ['PyImport_AddModule', 'PyImport_AddModuleRef'],
  ['PyCell_GET', 'PyCell_Get'],
]);

/** Strong-reference APIs whose use shows a module has been ported (a positive signal). */
export const STRONG_REF_APIS: ReadonlySet<string> = new Set([
  'PyList_GetItemRef', 'PyDict_GetItemRef', 'PyDict_GetItemStringRef', 'PyDict_SetDefaultRef',
  'PyWeakref_GetRef', 'PyImport_AddModuleRef',
]);

/** Functions that return a new object no other thread can see yet (its borrowed reads are safe). */
export const FRESH_CONTAINER = /\b([A-Za-z_]\w*)\s*=\s*(?:\(\s*PyObject\s*\*\s*\)\s*)?(?:PyDict_New|PyDict_Copy|_PyDict_NewPresized|PyList_New|PySequence_List|PyList_GetSlice|PyDict_(?:Keys|Values|Items)|PyMapping_(?:Keys|Values|Items))\s*\(/g;

/** Names a function's keyword-arguments dictionary usually has: it belongs to the one call. */
export const KWARGS_NAME = /^(?:kw|kws|kwd|kwds|kwargs|kwdict|keywords|kwnames|kw_args)$/i;

/** Anything in a function body showing it synchronises: a lock, a critical section, atomics, a once-flag, or an assertion that the caller holds the lock. */
export const SYNCHRONISES = /\b(?:PyMutex_Lock|Py_BEGIN_CRITICAL_SECTION\w*|pthread_mutex_lock|pthread_rwlock_\w+|PyThread_acquire_lock\w*|lock_guard|unique_lock|scoped_lock|shared_lock|call_once|pthread_once|EnterCriticalSection|AcquireSRWLock\w*|_Py_atomic_\w+|atomic_\w+|__atomic_\w+|__sync_\w+|Interlocked\w+|ASSERT\w*LOCKED\w*|\w*_CRITICAL_SECTION_ASSERT\w*)\b|std::atomic|\.\s*lock\s*\(/;

/** A type or qualifier that makes a static variable a synchronisation primitive or atomic, not plain state. */
export const SYNC_TYPE = /atomic|mutex|once_flag|PyMutex|Py_tss|PyThread_type_lock|pthread_|CRITICAL_SECTION|SRWLOCK|spinlock|\block\b/i;
