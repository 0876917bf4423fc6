#include "lib/pq/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

namespace st::lib::pq {

namespace {
std::string error_text(pg_conn* c) {
  std::string s = c ? PQerrorMessage(c) : "out of memory";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

Connection::Connection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = "Cannot connect to PostgreSQL: " + error_text(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("08001", msg);
  }
  PQsetErrorVerbosity(conn_, PQERRORS_TERSE);
}

Connection::~Connection() noexcept { PQfinish(conn_); }

bool Connection::is_ok() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

Result Connection::check(Result r, std::string_view context) {
  auto st = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  const char* state = r.get() ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  std::string msg(context);
  msg += ": ";
  msg += r.get() ? PQresultErrorMessage(r.get()) : error_text(conn_);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  throw Error(state ? state : "XX000", std::move(msg));
}

void Connection::exec(std::string_view sql) {
  std::string s(sql);
  check(Result(PQexec(conn_, s.c_str())), "PostgreSQL exec");
}

void Connection::prepare(const std::string& name, std::string_view sql) {
  std::string s(sql);
  check(Result(PQprepare(conn_, name.c_str(), s.c_str(), 0, nullptr)), "PostgreSQL prepare");
}

Result Connection::exec_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i] ? params[i]->c_str() : nullptr;
    lengths[i] = params[i] ? static_cast<int>(params[i]->size()) : 0;
  }
  return check(Result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(),
                                     lengths.data(), nullptr, 0)),
               "PostgreSQL query");
}

std::vector<Connection::Notification> Connection::wait_notifications(std::chrono::milliseconds timeout) {
  std::vector<Notification> out;
  auto drain = [&] {
    while (PGnotify* n = PQnotifies(conn_)) {
      out.push_back({n->relname ? n->relname : "", n->extra ? n->extra : ""});
      PQfreemem(n);
    }
  };
  if (!is_ok()) throw Error("08006", "PostgreSQL connection lost");
  drain();  // some may have come with an earlier answer
  if (!out.empty()) return out;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (p.fd < 0) throw Error("08006", "PostgreSQL connection lost");
  int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (rc > 0) {
    if (!PQconsumeInput(conn_) || PQstatus(conn_) != CONNECTION_OK)
      throw Error("08006", "PostgreSQL connection lost: " + error_text(conn_));
    drain();
  }
  return out;
}

}  // namespace st::lib::pq
