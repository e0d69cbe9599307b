/* libcurl through dlopen(3): resolved once, on the first --confirm. */
#include "blogdom/curlapi.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "blogdom/common.h"

struct bd_curl_api bd_curl;

/* Each entry: the symbol, and where its address goes. */
#define ENTRY(field, symbol)                                                   \
  { symbol, (void **)&bd_curl.field }

int bd_curl_load(const char **why) {
  static bool loaded;
  void *lib;
  const struct {
    const char *symbol;
    void **slot;
  } table[] = {
      ENTRY(global_init, "curl_global_init"),
      ENTRY(global_cleanup, "curl_global_cleanup"),
      ENTRY(easy_init, "curl_easy_init"),
      ENTRY(easy_cleanup, "curl_easy_cleanup"),
      ENTRY(easy_setopt, "curl_easy_setopt"),
      ENTRY(easy_getinfo, "curl_easy_getinfo"),
      ENTRY(easy_strerror, "curl_easy_strerror"),
      ENTRY(getdate, "curl_getdate"),
      ENTRY(multi_init, "curl_multi_init"),
      ENTRY(multi_cleanup, "curl_multi_cleanup"),
      ENTRY(multi_add_handle, "curl_multi_add_handle"),
      ENTRY(multi_remove_handle, "curl_multi_remove_handle"),
      ENTRY(multi_setopt, "curl_multi_setopt"),
      ENTRY(multi_assign, "curl_multi_assign"),
      ENTRY(multi_info_read, "curl_multi_info_read"),
      ENTRY(multi_socket_action, "curl_multi_socket_action"),
      ENTRY(multi_strerror, "curl_multi_strerror"),
      ENTRY(slist_append, "curl_slist_append"),
      ENTRY(slist_free_all, "curl_slist_free_all"),
      ENTRY(easy_escape, "curl_easy_escape"),
      ENTRY(free, "curl_free"),
      ENTRY(url, "curl_url"),
      ENTRY(url_cleanup, "curl_url_cleanup"),
      ENTRY(url_set, "curl_url_set"),
      ENTRY(url_get, "curl_url_get"),
  };

  if (loaded)
    return 0;
  /* The library stays loaded until exit: libcurl is not made to be
   * unloaded. */
  lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    *why = dlerror();
    return -ENOENT;
  }
  for (size_t i = 0; i < BD_ARRAY_SIZE(table); i++) {
    /* POSIX dlsym returns object pointers; storing them into function
     * pointers through void ** is the documented way (dlsym(3)). */
    *table[i].slot = dlsym(lib, table[i].symbol);
    if (*table[i].slot == NULL) {
      *why = table[i].symbol;
      return -ENOSYS;
    }
  }
  loaded = true;
  return 0;
}
