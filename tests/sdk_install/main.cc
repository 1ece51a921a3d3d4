// Uses the installed SDK with nothing but <rampart/client.h>: no server is
// reachable, so the flag is the caller's default with PROVIDER_NOT_READY.
// Exits 0 when it is.
#include <rampart/client.h>

#include <cstdio>

int main() {
  rampart::ClientOptions options;
  options.server_address = "127.0.0.1:1";  // nothing listens there
  options.sdk_key = "install-check";
  rampart::Client client(options);
  if (client.WaitForReady(std::chrono::milliseconds(200))) {
    std::printf("unexpected: ready without a server\n");
    return 1;
  }
  const auto d = client.GetBooleanDetails("new-invoice-editor", rampart::Context("acme"), true);
  std::printf("value = %s, reason = %s, error = %s (%s)\n", d.value ? "true" : "false",
              rampart::ReasonName(d.reason), rampart::ErrorCodeName(d.error_code),
              d.error_message.c_str());
  return d.value && d.error_code == rampart::ErrorCode::kProviderNotReady ? 0 : 1;
}
