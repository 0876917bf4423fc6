#pragma once
// Each section of the OpenSubsonic API adds its methods to the table.
#include "http/router.hpp"
#include "subsonic/call.hpp"

namespace st::subsonic {

void add_system_methods(MethodTable& t);
void add_browsing_methods(MethodTable& t);
void add_folder_methods(MethodTable& t);
void add_list_methods(MethodTable& t);
void add_search_methods(MethodTable& t);
void add_playlist_methods(MethodTable& t);
void add_media_methods(MethodTable& t);
void add_annotation_methods(MethodTable& t);
void add_sharing_methods(MethodTable& t);
// The public pages of shares (no account needed): /share/<secret> and its streams.
void add_share_pages(http::Router& r, Deps& d);
void add_bookmark_methods(MethodTable& t);
void add_user_methods(MethodTable& t);
void add_scan_methods(MethodTable& t);
void add_radio_methods(MethodTable& t);
void add_transcoding_methods(MethodTable& t);
// Podcasts, jukebox, chat and video: a clear "not supported" answer.
void add_unsupported_methods(MethodTable& t);

}  // namespace st::subsonic
