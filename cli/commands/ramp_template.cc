// `rampart ramp template list|show|add`: reusable plans, the built-in
// "b2b-default" among them (RampService templates).
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/common.h"
#include "cli/commands/ramps.h"
#include "rampart/v1/ramp.grpc.pb.h"

namespace rampart::cli {
namespace {

using RampStub = v1::RampService::Stub;

void PrintTemplateTable(const v1::ListRampTemplatesResponse& response) {
  Table table({"key", "built-in", "stages", "description"});
  for (const v1::RampTemplate& t : response.templates()) {
    table.AddRow({t.key(), t.built_in() ? "yes" : "no", FormatStageSequence(t.plan()),
                  OrDash(t.description())});
  }
  table.Print(std::cout);
}

void PrintTemplate(const v1::RampTemplate& t) {
  Fields()
      .Add("key", t.key())
      .Add("description", t.description())
      .Add("built-in", t.built_in() ? "yes" : "no")
      .Add("plan description", t.plan().description())
      .Add("protected segments", absl::StrJoin(t.plan().protected_segments(), ", "))
      .Add("revision", absl::StrCat(t.revision()))
      .Add("updated", FormatTimestamp(t.updated_at()))
      .Print(std::cout);
  std::cout << "\n";
  PrintStageTable(t.plan(), std::cout);
}

void AddList(CLI::App* noun, Session& session) {
  session.AddVerb(noun, "list", "List the ramp templates, built-in ones included", [&session] {
    ASSIGN_OR_RETURN(auto response,
                     session.Call(&RampStub::ListRampTemplates, v1::ListRampTemplatesRequest()));
    return session.Print(response, [&] { PrintTemplateTable(response); });
  });
}

void AddShow(CLI::App* noun, Session& session) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(
      noun, "show",
      "Show a template's stages; placeholders read {internal}, {closed-beta}, "
      "{protected}",
      [&session, key] {
        v1::GetRampTemplateRequest request;
        request.set_key(*key);
        ASSIGN_OR_RETURN(v1::RampTemplate t, session.Call(&RampStub::GetRampTemplate, request));
        return session.Print(t, [&] { PrintTemplate(t); });
      });
  verb->add_option("NAME", *key, "The template's key, e.g. b2b-default")->required();
}

void AddAdd(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, file;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "add",
      "Add a template from a file, or replace one you added (with its revision); built-in "
      "templates cannot be replaced",
      [&session, o] {
        v1::PutRampTemplateRequest request;
        ASSIGN_OR_RETURN(*request.mutable_template_(), ReadRampTemplateFile(o->file, o->key));
        const int64_t revision = o->write.revision.value_or(request.template_().revision());
        *request.mutable_meta() = session.Meta(o->write, revision);
        ASSIGN_OR_RETURN(v1::RampTemplate t, session.Call(&RampStub::PutRampTemplate, request));
        return session.Confirm(t, Confirmation("ramp template", t.key(),
                                               revision == 0 ? "added" : "replaced", t.revision()));
      });
  verb->add_option("NAME", o->key, "The template's key (optional: the file's \"key\")");
  verb->add_option("--file", o->file,
                   "A file holding the RampTemplate in protobuf JSON (key, description, plan)")
      ->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
  verb->get_option("--revision")
      ->description(
          "Replace the template you added at this revision (default: the file's \"revision\", "
          "else add a new one)");
}

}  // namespace

void AddRampTemplateCommands(CLI::App* ramp, Session& session) {
  CLI::App* noun = ramp->add_subcommand(
      "template", "Ramp templates: reusable plans, e.g. the built-in b2b-default");
  noun->require_subcommand(1);
  AddList(noun, session);
  AddShow(noun, session);
  AddAdd(noun, session);
}

}  // namespace rampart::cli
