#include "server/http/gateway.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "server/http/console_assets.h"

namespace rampart::http {
namespace {

namespace pb = google::protobuf;

constexpr absl::string_view kPackage = "rampart.v1";
// A call that takes longer is cut off (DEADLINE_EXCEEDED, 504).
constexpr auto kCallDeadline = std::chrono::seconds(120);

void SendError(httplib::Response& res, grpc::StatusCode code, absl::string_view message) {
  res.status = HttpStatusOf(code);
  // The message is a JSON string: escape it the way protobuf would.
  pb::Value text;
  text.set_string_value(std::string(message));
  std::string quoted;
  (void)pb::util::MessageToJsonString(text, &quoted);
  res.set_content(absl::StrCat("{\"code\":\"", CodeName(code), "\",\"message\":", quoted, "}"),
                  "application/json");
}

std::string ContentTypeOf(absl::string_view name) {
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// The console file `name`, from `dir` when set, else compiled in.
std::optional<std::string> ConsoleFile(const std::string& dir, absl::string_view name) {
  if (name.empty() || absl::StrContains(name, "..") || absl::StrContains(name, "/")) {
    return std::nullopt;
  }
  if (!dir.empty()) {
    std::ifstream in(absl::StrCat(dir, "/", name), std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  for (const Asset& asset : ConsoleAssets()) {
    if (asset.name == name) return std::string(asset.content);
  }
  return std::nullopt;
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

// POST /rampart.v1.<Service>/<Method>: one unary call, JSON in and out.
void ServeCall(const std::shared_ptr<grpc::Channel>& channel, const httplib::Request& req,
               httplib::Response& res) {
  const std::string service_name = req.matches[1];
  const std::string method_name = req.matches[2];
  const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(
      absl::StrCat(kPackage, ".", service_name));
  const pb::MethodDescriptor* method =
      service == nullptr ? nullptr : service->FindMethodByName(method_name);
  if (method == nullptr) {
    SendError(res, grpc::StatusCode::NOT_FOUND,
              absl::StrCat("no method ", kPackage, ".", service_name, "/", method_name,
                           " (docs/http.md lists them)"));
    return;
  }
  if (method->client_streaming() || method->server_streaming()) {
    SendError(res, grpc::StatusCode::UNIMPLEMENTED,
              absl::StrCat(service_name, ".", method_name,
                           " streams: call it over gRPC (the CLI and the SDK do)"));
    return;
  }
  const std::string content_type = req.get_header_value("Content-Type");
  if (!req.body.empty() && !absl::StartsWith(content_type, "application/json")) {
    SendError(res, grpc::StatusCode::INVALID_ARGUMENT,
              "Content-Type: must be application/json (protobuf's JSON mapping)");
    return;
  }

  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  std::unique_ptr<pb::Message> request(factory->GetPrototype(method->input_type())->New());
  std::unique_ptr<pb::Message> response(factory->GetPrototype(method->output_type())->New());
  if (!req.body.empty()) {
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    if (auto s = pb::util::JsonStringToMessage(req.body, request.get(), options); !s.ok()) {
      SendError(res, grpc::StatusCode::INVALID_ARGUMENT,
                absl::StrCat("request body (", method->input_type()->full_name(),
                             "): ", std::string(s.message())));
      return;
    }
  }

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  if (req.has_header("Authorization")) {
    context.AddMetadata("authorization", req.get_header_value("Authorization"));
  }
  context.AddMetadata("x-forwarded-for", absl::StrCat(req.remote_addr, ":", req.remote_port));
  const grpc::ByteBuffer in = ToByteBuffer(request->SerializeAsString());
  grpc::ByteBuffer out;
  std::promise<grpc::Status> done;
  grpc::GenericStub stub(channel);
  stub.UnaryCall(&context, absl::StrCat("/", service->full_name(), "/", method_name),
                 grpc::StubOptions(), &in, &out,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    SendError(res, status.error_code(), status.error_message());
    return;
  }
  if (!response->ParseFromString(FromByteBuffer(out))) {
    SendError(res, grpc::StatusCode::INTERNAL, "the response did not parse");
    return;
  }
  std::string json;
  if (auto s = pb::util::MessageToJsonString(*response, &json); !s.ok()) {
    SendError(res, grpc::StatusCode::INTERNAL, std::string(s.message()));
    return;
  }
  res.status = 200;
  res.set_content(json, "application/json");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(std::shared_ptr<grpc::Channel> channel,
                                                        const GatewayOptions& options) {
  std::unique_ptr<Gateway> gateway(new Gateway());
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--tls-cert-file ", options.tls_cert_file, " / --tls-key-file ",
                       options.tls_key_file, ": not a PEM certificate and its private key"));
    }
    gateway->server_ = std::move(ssl);
  } else {
    gateway->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *gateway->server_;
  server.set_payload_max_length(64 << 20);

  server.Post(R"(/rampart\.v1\.(\w+)/(\w+))",
              [channel](const httplib::Request& req, httplib::Response& res) {
                ServeCall(channel, req, res);
              });
  const std::string console_dir = options.console_dir;
  auto serve_file = [console_dir](absl::string_view name, httplib::Response& res) {
    std::optional<std::string> content = ConsoleFile(console_dir, name);
    if (!content.has_value()) {
      SendError(res, grpc::StatusCode::NOT_FOUND, absl::StrCat("no console file ", name));
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    // The console runs only its own script, talks only to this server and
    // is never framed (its pages hold a token). Inline styles: the freeze
    // grid places its bars with style attributes.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                   "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_content(*content, ContentTypeOf(name));
  };
  server.Get("/", [serve_file](const httplib::Request&, httplib::Response& res) {
    serve_file("index.html", res);
  });
  server.Get(R"(/console/([\w.\-]+))",
             [serve_file](const httplib::Request& req, httplib::Response& res) {
               serve_file(req.matches[1].str(), res);
             });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });

  const size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(options.listen).substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen ", options.listen, ": not HOST:PORT"));
  }
  const std::string host = options.listen.substr(0, colon);
  if (port == 0) {
    port = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("--http-listen ", options.listen,
                                               ": cannot listen there (address in use, or not a "
                                               "HOST:PORT this machine has)"));
  }
  gateway->port_ = port;
  gateway->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // Until it runs, stop() would not stop it (and Shutdown would wait forever).
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return gateway;
}

Gateway::~Gateway() { Shutdown(); }

void Gateway::Shutdown() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:
      return 500;
  }
}

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::UNKNOWN:
      return "unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

}  // namespace rampart::http
