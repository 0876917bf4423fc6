// The session and account services over a real (SQLite) database.
#include <gtest/gtest.h>

#include "auth/account_service.hpp"
#include "auth/instance_settings.hpp"
#include "auth/session_service.hpp"
#include "crypto/jwt.hpp"
#include "db/repositories.hpp"
#include "lib/sodium/sodium.hpp"
#include "model/errors.hpp"
#include "support/test_database.hpp"
#include "util/time.hpp"

using namespace st;

namespace {

class Services : public ::testing::Test {
 protected:
  void SetUp() override {
    lib::sodium::init();
    ASSERT_TRUE(db_.open());
    users_ = db::make_user_repository(db_.pool());
    session_repo_ = db::make_session_repository(db_.pool());
    settings_repo_ = db::make_settings_repository(db_.pool());
    settings_ = std::make_unique<auth::InstanceSettings>(*settings_repo_);
    sessions_ = std::make_unique<auth::SessionService>(auth::TokenConfig{kSecret}, *users_, *session_repo_);
    accounts_ = std::make_unique<auth::AccountService>(*users_, *settings_, *sessions_);
  }

  model::User registered(std::string name) {
    return accounts_->register_user({name, name + "@example.org", "password123", std::nullopt});
  }

  model::ErrorKind error_of(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const model::DomainError& e) {
      return e.kind();
    }
    ADD_FAILURE() << "no DomainError thrown";
    return model::ErrorKind::unavailable;
  }

  static inline const std::string kSecret = "unit-test-secret-unit-test-secret-0123";
  test::TestDatabase db_{"sqlite"};
  std::unique_ptr<model::UserRepository> users_;
  std::unique_ptr<model::SessionRepository> session_repo_;
  std::unique_ptr<model::SettingsRepository> settings_repo_;
  std::unique_ptr<auth::InstanceSettings> settings_;
  std::unique_ptr<auth::SessionService> sessions_;
  std::unique_ptr<auth::AccountService> accounts_;
};

}  // namespace

TEST_F(Services, FirstRegistrationIsAdminAndLaterOnesWaitForSetup) {
  auto admin = registered("admin");
  EXPECT_EQ(admin.role, model::Role::admin);
  EXPECT_EQ(error_of([&] { registered("early"); }), model::ErrorKind::forbidden);
  settings_->put("setup_complete", "true");
  EXPECT_EQ(registered("later").role, model::Role::user);
}

TEST_F(Services, RegistrationPolicyIsEnforced) {
  registered("admin");
  settings_->put("setup_complete", "true");
  settings_->put("open_registrations", "false");
  EXPECT_EQ(error_of([&] { registered("closed"); }), model::ErrorKind::forbidden);
  settings_->put("open_registrations", "true");
  settings_->put("instance_private", "true");
  EXPECT_EQ(error_of([&] { registered("private"); }), model::ErrorKind::forbidden);
  // An admin can still create accounts on a private instance.
  auto u = accounts_->create_by_admin({"invited", "invited@example.org", "password123", std::nullopt});
  EXPECT_EQ(u.role, model::Role::user);
}

TEST_F(Services, LoginChecksPasswordThenBan) {
  auto admin = registered("admin");
  settings_->put("setup_complete", "true");
  auto u = registered("user1");
  EXPECT_EQ(accounts_->login("USER1", "password123").id, u.id);
  EXPECT_EQ(error_of([&] { accounts_->login("user1", "wrong-password"); }), model::ErrorKind::unauthorized);
  EXPECT_EQ(error_of([&] { accounts_->login("nobody", "password123"); }), model::ErrorKind::unauthorized);
  accounts_->ban(admin.id, u.id, "spam");
  try {
    accounts_->login("user1", "password123");
    FAIL();
  } catch (const model::DomainError& e) {
    EXPECT_EQ(e.kind(), model::ErrorKind::forbidden);
    EXPECT_STREQ(e.what(), "Your account has been banned. Reason: spam");
  }
}

TEST_F(Services, AccessTokensDieWithTheirSessionAndWithBans) {
  auto admin = registered("admin");
  settings_->put("setup_complete", "true");
  auto u = registered("user1");
  auto pair = sessions_->start(u, {"127.0.0.1", "test"});
  EXPECT_EQ(sessions_->authenticate(pair.access_token).user.id, u.id);

  accounts_->ban(admin.id, u.id, std::nullopt);
  // Refused: the session is over (401, whose message gives the ban's reason) and the refresh says 403.
  EXPECT_EQ(error_of([&] { sessions_->authenticate(pair.access_token); }), model::ErrorKind::unauthorized);
  EXPECT_EQ(error_of([&] { sessions_->refresh(pair.refresh_token); }), model::ErrorKind::forbidden);
  accounts_->unban(u.id);
  EXPECT_EQ(error_of([&] { sessions_->authenticate(pair.access_token); }), model::ErrorKind::unauthorized)
      << "a ban ends sessions for good: unbanning does not revive them";
}

TEST_F(Services, RefreshRotatesAndReuseEndsTheSession) {
  auto u = registered("admin");
  auto p1 = sessions_->start(u, {});
  auto p2 = sessions_->refresh(p1.refresh_token);
  EXPECT_NE(p2.refresh_token, p1.refresh_token);
  EXPECT_EQ(sessions_->authenticate(p2.access_token).user.id, u.id);
  EXPECT_EQ(error_of([&] { sessions_->refresh(p1.refresh_token); }), model::ErrorKind::unauthorized);
  EXPECT_EQ(error_of([&] { sessions_->refresh(p2.refresh_token); }), model::ErrorKind::unauthorized);
  EXPECT_EQ(error_of([&] { sessions_->authenticate(p2.access_token); }), model::ErrorKind::unauthorized);
  // Another login is unaffected.
  auto other = sessions_->start(u, {});
  EXPECT_NO_THROW(sessions_->refresh(other.refresh_token));
}

TEST_F(Services, AnAccessTokenIsNotARefreshToken) {
  auto u = registered("admin");
  auto p = sessions_->start(u, {});
  try {
    sessions_->refresh(p.access_token);
    FAIL();
  } catch (const model::DomainError& e) {
    EXPECT_STREQ(e.what(), "Invalid token type");
  }
}

TEST_F(Services, RoleComesFromTheDatabaseNotTheToken) {
  auto admin = registered("admin");
  settings_->put("setup_complete", "true");
  auto other = registered("other");
  accounts_->set_role(other.id, model::Role::admin);
  auto p = sessions_->start(admin, {});
  accounts_->set_role(admin.id, model::Role::user);
  // Demotion ends the sessions; the admin claim inside the token no longer matters.
  EXPECT_EQ(error_of([&] { sessions_->authenticate(p.access_token); }), model::ErrorKind::unauthorized);
  auto p2 = sessions_->start(*users_->find_by_id(admin.id), {});
  EXPECT_FALSE(sessions_->authenticate(p2.access_token).is_admin());
}

TEST_F(Services, ChangingThePasswordEndsOtherSessions) {
  auto u = registered("admin");
  auto mine = sessions_->start(u, {});
  auto other = sessions_->start(u, {});
  auto who = sessions_->authenticate(mine.access_token);
  EXPECT_EQ(error_of([&] { accounts_->change_password(who, "wrong-password", "newpassword1"); }),
            model::ErrorKind::unauthorized);
  accounts_->change_password(who, "password123", "newpassword1");
  EXPECT_NO_THROW(sessions_->authenticate(mine.access_token));
  EXPECT_EQ(error_of([&] { sessions_->authenticate(other.access_token); }), model::ErrorKind::unauthorized);
  EXPECT_EQ(accounts_->login("admin", "newpassword1").id, u.id);
}

TEST_F(Services, TheOnlyAdminCannotLeave) {
  auto u = registered("admin");
  auto who = sessions_->authenticate(sessions_->start(u, {}).access_token);
  EXPECT_EQ(error_of([&] { accounts_->delete_account(who, "password123"); }), model::ErrorKind::forbidden);
  EXPECT_EQ(error_of([&] { accounts_->set_role(u.id, model::Role::user); }), model::ErrorKind::conflict);
}

TEST_F(Services, AdminsCannotBeBanned) {
  auto admin = registered("admin");
  settings_->put("setup_complete", "true");
  auto other = registered("other");
  accounts_->set_role(other.id, model::Role::admin);
  EXPECT_EQ(error_of([&] { accounts_->ban(admin.id, other.id, std::nullopt); }), model::ErrorKind::bad_request);
  EXPECT_EQ(error_of([&] { accounts_->ban(admin.id, admin.id, std::nullopt); }), model::ErrorKind::bad_request);
}

TEST_F(Services, SettingsAreValidatedAndSecretsMasked) {
  EXPECT_EQ(error_of([&] { settings_->put("no_such_key", "x"); }), model::ErrorKind::bad_request);
  EXPECT_EQ(error_of([&] { settings_->put("open_registrations", "perhaps"); }), model::ErrorKind::bad_request);
  EXPECT_EQ(error_of([&] { settings_->put("max_upload_size_mb", "0"); }), model::ErrorKind::bad_request);
  EXPECT_EQ(settings_->put("open_registrations", "OFF"), "false");
  EXPECT_FALSE(settings_->flag("open_registrations"));
  EXPECT_EQ(settings_->integer("max_upload_size_mb"), 500);
  settings_->put("ai_api_key", "sk-secret");
  for (const auto& s : settings_->list()) {
    if (s.key == "ai_api_key") {
      EXPECT_TRUE(s.is_secret);
      EXPECT_EQ(s.value, "********");
    }
  }
}

TEST_F(Services, MediaTokensOpenMediaOnlyAndDieWithTheSession) {
  auto u = registered("admin");
  auto pair = sessions_->start(u, {});
  auto who = sessions_->authenticate(pair.access_token);
  auto media = sessions_->media_token(who, 3600);
  EXPECT_EQ(sessions_->authenticate_media(media).user.id, u.id);
  EXPECT_EQ(sessions_->authenticate_media(pair.access_token).user.id, u.id);
  EXPECT_EQ(error_of([&] { sessions_->authenticate(media); }), model::ErrorKind::unauthorized);
  sessions_->end_session(who.session_id);
  EXPECT_EQ(error_of([&] { sessions_->authenticate_media(media); }), model::ErrorKind::unauthorized);
}

TEST_F(Services, ChecksFromMemoryVouchOnlyForSessionsCheckedAndNotEndedSince) {
  auto admin = registered("admin");
  settings_->put("setup_complete", "true");
  auto u = registered("user1");
  auto pair = sessions_->start(u, {});
  EXPECT_FALSE(sessions_->authenticate_from_memory(pair.access_token, true)) << "never checked";
  auto who = sessions_->authenticate(pair.access_token);
  auto mem = sessions_->authenticate_from_memory(pair.access_token, false);
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->user.id, u.id);
  EXPECT_EQ(mem->session_id, who.session_id);
  auto media = sessions_->media_token(who, 3600);
  EXPECT_TRUE(sessions_->authenticate_from_memory(media, true));
  EXPECT_FALSE(sessions_->authenticate_from_memory(media, false)) << "a media token is not an access token";
  EXPECT_FALSE(sessions_->authenticate_from_memory("not.a.token", true));

  // Whatever ends a session, the memory of it is gone at once.
  sessions_->end_session(who.session_id);
  EXPECT_FALSE(sessions_->authenticate_from_memory(media, true));

  auto second = sessions_->start(u, {});
  sessions_->authenticate(second.access_token);
  ASSERT_TRUE(sessions_->authenticate_from_memory(second.access_token, false));
  accounts_->ban(admin.id, u.id, std::nullopt);
  EXPECT_FALSE(sessions_->authenticate_from_memory(second.access_token, false));
  accounts_->unban(u.id);

  auto third = sessions_->start(u, {});
  sessions_->authenticate(third.access_token);
  auto rotated = sessions_->refresh(third.refresh_token);
  sessions_->authenticate(rotated.access_token);
  ASSERT_TRUE(sessions_->authenticate_from_memory(rotated.access_token, false));
  EXPECT_EQ(error_of([&] { sessions_->refresh(third.refresh_token); }), model::ErrorKind::unauthorized);
  EXPECT_FALSE(sessions_->authenticate_from_memory(rotated.access_token, false)) << "reuse ended the session";

  auto fourth = sessions_->start(u, {});
  sessions_->authenticate(fourth.access_token);
  ASSERT_TRUE(sessions_->authenticate_from_memory(fourth.access_token, false));
  accounts_->delete_by_admin(u.id);
  EXPECT_FALSE(sessions_->authenticate_from_memory(fourth.access_token, false));
}
