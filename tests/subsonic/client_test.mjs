// Drives a running SoundTime through the subsonic-api client (token auth with an app password, and
// apiKey), validates every JSON response against the OpenSubsonic OpenAPI schemas, and compares the
// deterministic responses, in JSON and in XML, with the golden snapshots in golden/.
//
// env: SUBSONIC_URL, SUBSONIC_USER, SUBSONIC_APP_PASSWORD, OPENAPI_DIR; UPDATE_GOLDEN=1 rewrites golden/.
// Prints one line per check and exits 1 when any failed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { SubsonicAPI } from "subsonic-api";

const here = path.dirname(fileURLToPath(import.meta.url));
const url = process.env.SUBSONIC_URL;
const user = process.env.SUBSONIC_USER;
const appPassword = process.env.SUBSONIC_APP_PASSWORD;
const openapiDir = path.resolve(process.env.OPENAPI_DIR);
const goldenDir = path.join(here, "golden");
const update = process.env.UPDATE_GOLDEN === "1";

let failures = 0;
let checks = 0;
const fail = (what, detail) => {
  failures++;
  console.log(`FAIL ${what}: ${detail}`);
};
const pass = (what) => {
  checks++;
  if (process.env.VERBOSE) console.log(`ok   ${what}`);
};

// --- the schemas ---
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
function addTree(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) addTree(full);
    else if (entry.name.endsWith(".json")) ajv.addSchema(JSON.parse(fs.readFileSync(full, "utf8")), pathToFileURL(full).href);
  }
}
addTree(path.join(openapiDir, "schemas"));
addTree(path.join(openapiDir, "responses"));
for (const entry of fs.readdirSync(path.join(openapiDir, "endpoints"), { withFileTypes: true }))
  if (entry.isDirectory()) addTree(path.join(openapiDir, "endpoints", entry.name));

function responseValidator(method) {
  const file = path.join(openapiDir, "endpoints", `${method}.json`);
  if (!fs.existsSync(file)) return null;
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  const op = spec.get || spec.post;
  let response = op?.responses?.["200"];
  let base = pathToFileURL(file);
  if (response?.$ref) {  // a shared response object (responses/EmptySubsonicResponse.json)
    const shared = new URL(response.$ref, base);
    response = JSON.parse(fs.readFileSync(fileURLToPath(shared), "utf8"));
    base = shared;
  }
  const ref = response?.content?.["application/json"]?.schema?.$ref;
  if (!ref) return null;
  return ajv.getSchema(new URL(ref, base).href);
}

// --- calls ---
const api = new SubsonicAPI({ url, auth: { username: user, password: appPassword } });
const keyed = new SubsonicAPI({ url, auth: { apiKey: appPassword } });
// u+p with an account password, which the library never sends (it always uses token auth): changePassword
// refuses app passwords.
const withPassword = (username, password) => ({
  custom: (method, params) =>
    fetch(`${url.replace(/\/$/, "")}/rest/${method}?` +
          new URLSearchParams({ ...params, u: username, p: password, v: "1.16.1", c: "client-test" })),
});

async function raw(method, params = {}, format = "json", client = api) {
  const res = await client.custom(`${method}.view`, { ...params, f: format });
  return { status: res.status, type: res.headers.get("content-type") || "", text: await res.text() };
}

// Validates one JSON call and returns its subsonic-response.
async function check(method, params = {}, { expectError = false, client = api } = {}) {
  const r = await raw(method, params, "json", client);
  let body;
  try {
    body = JSON.parse(r.text);
  } catch {
    fail(method, `not JSON: ${r.text.slice(0, 200)}`);
    return {};
  }
  const validate = responseValidator(method);
  if (!validate) fail(method, "no schema in the OpenAPI description");
  else if (!validate(body)) fail(method, `schema: ${ajv.errorsText(validate.errors).slice(0, 600)}`);
  const sr = body["subsonic-response"] || {};
  if (expectError && sr.status !== "failed") fail(method, `expected an error, got ${r.text.slice(0, 200)}`);
  else if (!expectError && sr.status !== "ok") fail(method, `failed: ${JSON.stringify(sr.error)}`);
  else pass(method);
  return sr;
}

// --- golden snapshots: ids, times and versions replaced by stable placeholders ---
function normalize(text) {
  const ids = new Map();
  const dirs = new Map();
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (m) => {
      if (!ids.has(m)) ids.set(m, `<id${ids.size + 1}>`);
      return ids.get(m);
    })
    .replace(/dir-[A-Za-z0-9_-]+/g, (m) => {
      if (!dirs.has(m)) dirs.set(m, `<dir${dirs.size + 1}>`);
      return dirs.get(m);
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/("lastModified":\s*|lastModified=")\d+/g, "$1<ms>")
    .replace(/("serverVersion":\s*"|serverVersion=")[^"]+/g, "$1<version>")
    .replace(/\/share\/[0-9a-f]{32}/g, "/share/<secret>");
}

async function golden(name, method, params = {}) {
  for (const format of ["json", "xml"]) {
    const r = await raw(method, params, format);
    let text = r.text;
    if (format === "json") text = JSON.stringify(JSON.parse(text), null, 1);
    text = normalize(text) + "\n";
    const file = path.join(goldenDir, `${name}.${format}`);
    if (update || !fs.existsSync(file)) {
      fs.mkdirSync(goldenDir, { recursive: true });
      fs.writeFileSync(file, text);
      if (!update) fail(`golden ${name}.${format}`, "missing: written now, commit it");
      else pass(`golden ${name}.${format}`);
    } else if (fs.readFileSync(file, "utf8") !== text) {
      fail(`golden ${name}.${format}`, `differs from ${path.relative(here, file)}:\n${text.slice(0, 800)}`);
    } else pass(`golden ${name}.${format}`);
  }
}

async function main() {
  // System
  const ping = await api.ping();
  if (ping.status !== "ok" || ping.openSubsonic !== true) fail("subsonic-api ping", JSON.stringify(ping));
  await check("ping");
  await check("ping", {}, { client: keyed });
  await check("getLicense");
  await check("getOpenSubsonicExtensions");
  await check("tokenInfo", {}, { client: keyed });

  // Browsing
  await check("getMusicFolders");
  const indexes = await check("getIndexes");
  const topDir = indexes.indexes.index.flatMap((i) => i.artist).find((a) => a.name === "Test Artist");
  const artistDir = await check("getMusicDirectory", { id: topDir.id });
  const albumDir = artistDir.directory.child.find((c) => c.title === "Double Album");
  const cdDir = (await check("getMusicDirectory", { id: albumDir.id })).directory.child.find((c) => c.title === "CD1");
  await check("getMusicDirectory", { id: cdDir.id });
  await check("getGenres");
  const artists = await check("getArtists");
  const testArtist = artists.artists.index.flatMap((i) => i.artist).find((a) => a.name === "Test Artist");
  const artist = await check("getArtist", { id: testArtist.id });
  const double = artist.artist.album.find((a) => a.name === "Double Album");
  const sine = artist.artist.album.find((a) => a.name === "Sine Album");
  const album = await check("getAlbum", { id: double.id });
  const typedAlbum = await api.getAlbum({ id: sine.id });
  if (typedAlbum.album.song.length !== 3) fail("subsonic-api getAlbum", `${typedAlbum.album.song.length} songs`);
  const song = album.album.song[0];
  await check("getSong", { id: song.id });
  await check("getArtistInfo", { id: testArtist.id });
  await check("getArtistInfo2", { id: testArtist.id });
  await check("getAlbumInfo", { id: double.id });
  await check("getAlbumInfo2", { id: double.id });
  await check("getSimilarSongs", { id: song.id, count: 3 });
  await check("getSimilarSongs2", { id: song.id, count: 3 });
  await check("getTopSongs", { artist: "Test Artist" });

  // Lists
  for (const type of ["random", "newest", "highest", "frequent", "recent", "alphabeticalByName", "alphabeticalByArtist", "starred"]) {
    await check("getAlbumList", { type });
    await check("getAlbumList2", { type });
  }
  await check("getAlbumList2", { type: "byYear", fromYear: 2000, toYear: 2030 });
  await check("getAlbumList2", { type: "byGenre", genre: "Classical" });
  await check("getRandomSongs", { size: 3 });
  await check("getSongsByGenre", { genre: "Classical" });
  await check("getNowPlaying");

  // Searching
  await check("search", { any: "tone" });
  await check("search2", { query: "tone" });
  const s3 = await api.search3({ query: "tone" });
  if ((s3.searchResult3.song || []).length !== 3) fail("subsonic-api search3", JSON.stringify(s3).slice(0, 200));
  await check("search3", { query: "" });

  // Annotation
  await check("star", { id: song.id, albumId: sine.id, artistId: testArtist.id });
  await check("getStarred");
  await check("getStarred2");
  await check("setRating", { id: song.id, rating: 3 });
  await check("scrobble", { id: song.id });
  await check("scrobble", { id: song.id, submission: false });
  await check("reportPlayback", { mediaId: song.id, mediaType: "song", positionMs: 100, state: "playing" });
  await golden("getStarred2", "getStarred2");
  await golden("getStarred", "getStarred");
  await golden("getNowPlaying", "getNowPlaying");
  await check("unstar", { id: song.id });

  // Playlists
  const created = await check("createPlaylist", { name: "Schema check", songId: [song.id, album.album.song[1].id] });
  await check("getPlaylists");
  await check("getPlaylist", { id: created.playlist.id });
  await golden("getPlaylist", "getPlaylist", { id: created.playlist.id });
  await golden("getPlaylists", "getPlaylists");
  await check("updatePlaylist", { playlistId: created.playlist.id, comment: "c", songIndexToRemove: 0 });
  await check("deletePlaylist", { id: created.playlist.id });

  // Media (binary)
  const stream = await api.stream({ id: song.id });
  const bytes = new Uint8Array(await stream.arrayBuffer());
  if (stream.status !== 200 || bytes.length < 1000) fail("subsonic-api stream", `${stream.status} ${bytes.length} bytes`);
  else pass("stream");
  const mp3 = await api.stream({ id: song.id, format: "mp3", maxBitRate: 96, timeOffset: 0.5 });
  if (mp3.headers.get("content-type") !== "audio/mpeg" || (await mp3.arrayBuffer()).byteLength < 500)
    fail("subsonic-api stream mp3", mp3.headers.get("content-type"));
  else pass("stream mp3 timeOffset");
  const cover = await api.getCoverArt({ id: double.id, size: 64 });
  if (cover.headers.get("content-type") !== "image/jpeg") fail("getCoverArt size", cover.headers.get("content-type"));
  else pass("getCoverArt size");
  const tone3 = typedAlbum.album.song.find((s) => s.title === "Tone 3");
  await check("getLyrics", { artist: "Test Artist", title: "Tone 3" });
  await check("getLyricsBySongId", { id: tone3.id });

  // Sharing
  const share = await check("createShare", { id: sine.id, description: "d" });
  await check("getShares");
  await golden("getShares", "getShares");
  await check("updateShare", { id: share.shares.share[0].id, description: "e" });
  await check("deleteShare", { id: share.shares.share[0].id });

  // Bookmarks and play queues
  await check("createBookmark", { id: song.id, position: 1000 });
  await check("getBookmarks");
  await golden("getBookmarks", "getBookmarks");
  await check("deleteBookmark", { id: song.id });
  await check("savePlayQueue", { id: [song.id, tone3.id], current: tone3.id, position: 10 });
  await check("getPlayQueue");
  await golden("getPlayQueue", "getPlayQueue");
  await check("savePlayQueueByIndex", { id: [song.id], currentIndex: 0, position: 5 });
  await check("getPlayQueueByIndex");
  await golden("getPlayQueueByIndex", "getPlayQueueByIndex");

  // Users, scanning, radio
  await check("getUser", { username: user });
  await check("getUsers");
  await check("createUser", { username: "schema-user", password: "schema-password-1", email: "s@example.org" });
  await check("updateUser", { username: "schema-user", adminRole: false });
  await check("changePassword", { username: "schema-user", password: "schema-password-2" }, { expectError: true });
  await check("changePassword", { username: "schema-user", password: "schema-password-2" },
              { client: withPassword("schema-user", "schema-password-1") });
  await check("deleteUser", { username: "schema-user" });
  await check("getScanStatus");
  await check("createInternetRadioStation", { name: "R", streamUrl: "https://radio.example/r" });
  const stations = await check("getInternetRadioStations");
  await golden("getInternetRadioStations", "getInternetRadioStations");
  const station = stations.internetRadioStations.internetRadioStation[0];
  await check("updateInternetRadioStation", { id: station.id, name: "R2", streamUrl: "https://radio.example/r2" });
  await check("deleteInternetRadioStation", { id: station.id });

  // Errors are valid failure responses too.
  await check("getAlbum", { id: "00000000-0000-4000-8000-000000000000" }, { expectError: true });
  await check("getSong", {}, { expectError: true });
  await check("getPodcasts", {}, { expectError: true });

  // Golden snapshots of deterministic answers, in both formats.
  await golden("ping", "ping");
  await golden("getOpenSubsonicExtensions", "getOpenSubsonicExtensions");
  await golden("getMusicFolders", "getMusicFolders");
  await golden("getLicense", "getLicense");
  await golden("getIndexes", "getIndexes");
  await golden("getArtist", "getArtist", { id: testArtist.id });
  await golden("getAlbumInfo2", "getAlbumInfo2", { id: double.id });
  await golden("getAlbumList-alphabeticalByName", "getAlbumList", { type: "alphabeticalByName" });
  await golden("getAlbumList2-alphabeticalByName", "getAlbumList2", { type: "alphabeticalByName" });
  await golden("getSongsByGenre", "getSongsByGenre", { genre: "Classical" });
  await golden("search2", "search2", { query: "tone 2" });
  await golden("search", "search", { any: "tone 2" });
  await golden("getUser", "getUser", { username: user });
  await golden("getUsers", "getUsers");
  await golden("getScanStatus", "getScanStatus");
  await golden("getLyrics", "getLyrics", { artist: "Test Artist", title: "Tone 3" });
  await golden("error-not-supported", "getPodcasts");
  await golden("getGenres", "getGenres");
  await golden("getArtists", "getArtists");
  await golden("getAlbum", "getAlbum", { id: double.id });
  await golden("getSong", "getSong", { id: song.id });
  await golden("getMusicDirectory", "getMusicDirectory", { id: cdDir.id });
  await golden("getAlbumList2-byGenre", "getAlbumList2", { type: "byGenre", genre: "Classical" });
  await golden("search3", "search3", { query: "tone 2" });
  await golden("getLyricsBySongId", "getLyricsBySongId", { id: tone3.id });
  await golden("error-not-found", "getAlbum", { id: "00000000-0000-4000-8000-000000000000" });
  await golden("error-missing-parameter", "getSong");

  console.log(`subsonic client: ${checks} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL crashed: ${e.stack || e}`);
  process.exit(1);
});
