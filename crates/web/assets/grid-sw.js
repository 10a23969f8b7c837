// The visit log's service worker (scope /grid/): the log page network-first, its last copy served
// when there is no network; the assets it needs cache-first. Nothing else is cached — not the API,
// not another page — so no one's cases stay on the phone.
'use strict';
// Named after the build's assets by the server (see web/src/ui/grid/log.rs).
const CACHE = 'gongzhi-grid-build';
const PAGE = '/grid/log';
const ASSETS = [
  '/assets/bootstrap.min.css',
  '/assets/app.css',
  '/assets/htmx.min.js',
  '/assets/bootstrap.bundle.min.js',
  '/assets/app.js',
  '/assets/grid-log.js',
  '/assets/favicon.svg',
  '/grid/manifest.webmanifest',
];

// Only the signed-in page itself is kept (not a redirect to the login page).
function keep(cache, res) {
  if (res.ok && !res.redirected) return cache.put(PAGE, res);
  return undefined;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((c) => c.addAll(ASSETS).then(() => fetch(PAGE, { credentials: 'same-origin' }).then((res) => keep(c, res))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('gongzhi-grid') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(
      fetch(req)
        .then((res) => {
          const copy = res.clone();
          caches.open(CACHE).then((c) => keep(c, copy));
          return res;
        })
        .catch(() => caches.match(PAGE).then((hit) => hit || Response.error())),
    );
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(req)));
  }
});
