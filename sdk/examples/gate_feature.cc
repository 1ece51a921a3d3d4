// Gate a feature in ten lines: is "new-invoice-editor" on for an account?
//   RAMPART_SERVER=127.0.0.1:7311 RAMPART_SDK_KEY=demo-sdk-key
//   build/bin/sdk_example_gate_feature acme-accounting
#include <cstdio>
#include <cstdlib>

#include "rampart/client.h"

int main(int argc, char** argv) {
  const char* server = std::getenv("RAMPART_SERVER");
  const char* key = std::getenv("RAMPART_SDK_KEY");
  rampart::ClientOptions options;
  options.server_address = server ? server : "127.0.0.1:7311";
  options.sdk_key = key ? key : "";
  rampart::Client client(options);
  client.WaitForReady(std::chrono::seconds(2));

  rampart::Context account(argc > 1 ? argv[1] : "acme-accounting");
  auto on = client.GetBooleanDetails("new-invoice-editor", account, false);
  std::printf("new-invoice-editor for %s: %s (%s%s%s)\n", account.account_key().c_str(),
              on.value ? "on" : "off", rampart::ReasonName(on.reason),
              on.error_message.empty() ? "" : ": ", on.error_message.c_str());
  return 0;
}
