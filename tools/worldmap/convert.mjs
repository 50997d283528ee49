// convert.mjs — converts the Natural Earth 1:110m country shapes shipped in the
// npm package world-atlas (TopoJSON) into worldmap/shapes.txt, the compact file
// that the Go package github.com/civicmon/civicmon/worldmap embeds.
//
// Run once (see README.md):  npm ci && node convert.mjs [out-file]
//
// What it does, in order:
//  1. reads node_modules/world-atlas/countries-110m.json (TopoJSON, quantized);
//  2. maps each feature to an ISO 3166-1 alpha-2 code (world-atlas ids are
//     ISO 3166-1 numeric codes; three shapes have no id, see UNNUMBERED);
//  3. merges unrecognised shapes into the state that CIVICUS rates them under
//     (N. Cyprus into Cyprus, Somaliland into Somalia) with topojson-client's
//     mergeArcs, so the shared border disappears; drops Antarctica;
//  4. projects every shared arc ONCE with the Natural Earth I projection
//     (implemented below, no d3 needed), simplifies it with Douglas–Peucker in
//     pixel space and rounds it to integers — simplifying arcs rather than
//     rings keeps neighbouring borders identical, so no gaps or slivers;
//  5. rebuilds each country's rings from the simplified arcs, drops rings too
//     small to see (always keeping a country's largest ring), and writes an SVG
//     path "d" string with integer, relative coordinates.
//
// Output format (UTF-8 text, one record a line, sorted by code):
//   # comment lines
//   viewBox 0 0 W H
//   KZ M620 123l4-2 ...z
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mergeArcs } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, process.argv[2] ?? "../../worldmap/shapes.txt");
const atlasPkg = JSON.parse(readFileSync(resolve(here, "node_modules/world-atlas/package.json"), "utf8"));
const topo = JSON.parse(readFileSync(resolve(here, "node_modules/world-atlas/countries-110m.json"), "utf8"));

// Tuning. WIDTH is the viewBox width in user units; TOLERANCE is the
// Douglas–Peucker tolerance in those units; MIN_AREA drops islands smaller than
// this many square units (a country's largest ring is always kept).
const WIDTH = 1000;
const PAD = 2;
const TOLERANCE = 0.6;
const MIN_AREA = 4;

// ISO 3166-1 numeric -> alpha-2 for every feature in countries-110m.json.
// The script fails if the file holds an id missing here.
const NUMERIC = {
  "004": "AF", "008": "AL", "010": "AQ", "012": "DZ", "024": "AO", "031": "AZ", "032": "AR",
  "036": "AU", "040": "AT", "044": "BS", "050": "BD", "051": "AM", "056": "BE", "064": "BT",
  "068": "BO", "070": "BA", "072": "BW", "076": "BR", "084": "BZ", "090": "SB", "096": "BN",
  "100": "BG", "104": "MM", "108": "BI", "112": "BY", "116": "KH", "120": "CM", "124": "CA",
  "140": "CF", "144": "LK", "148": "TD", "152": "CL", "156": "CN", "158": "TW", "170": "CO",
  "178": "CG", "180": "CD", "188": "CR", "191": "HR", "192": "CU", "196": "CY", "203": "CZ",
  "204": "BJ", "208": "DK", "214": "DO", "218": "EC", "222": "SV", "226": "GQ", "231": "ET",
  "232": "ER", "233": "EE", "238": "FK", "242": "FJ", "246": "FI", "250": "FR", "260": "TF",
  "262": "DJ", "266": "GA", "268": "GE", "270": "GM", "275": "PS", "276": "DE", "288": "GH",
  "300": "GR", "304": "GL", "320": "GT", "324": "GN", "328": "GY", "332": "HT", "340": "HN",
  "348": "HU", "352": "IS", "356": "IN", "360": "ID", "364": "IR", "368": "IQ", "372": "IE",
  "376": "IL", "380": "IT", "384": "CI", "388": "JM", "392": "JP", "398": "KZ", "400": "JO",
  "404": "KE", "408": "KP", "410": "KR", "414": "KW", "417": "KG", "418": "LA", "422": "LB",
  "426": "LS", "428": "LV", "430": "LR", "434": "LY", "440": "LT", "442": "LU", "450": "MG",
  "454": "MW", "458": "MY", "466": "ML", "478": "MR", "484": "MX", "496": "MN", "498": "MD",
  "499": "ME", "504": "MA", "508": "MZ", "512": "OM", "516": "NA", "524": "NP", "528": "NL",
  "540": "NC", "548": "VU", "554": "NZ", "558": "NI", "562": "NE", "566": "NG", "578": "NO",
  "586": "PK", "591": "PA", "598": "PG", "600": "PY", "604": "PE", "608": "PH", "616": "PL",
  "620": "PT", "624": "GW", "626": "TL", "630": "PR", "634": "QA", "642": "RO", "643": "RU",
  "646": "RW", "682": "SA", "686": "SN", "688": "RS", "694": "SL", "703": "SK", "704": "VN",
  "705": "SI", "706": "SO", "710": "ZA", "716": "ZW", "724": "ES", "728": "SS", "729": "SD",
  "732": "EH", "740": "SR", "748": "SZ", "752": "SE", "756": "CH", "760": "SY", "762": "TJ",
  "764": "TH", "768": "TG", "780": "TT", "784": "AE", "788": "TN", "792": "TR", "795": "TM",
  "800": "UG", "804": "UA", "807": "MK", "818": "EG", "826": "GB", "834": "TZ", "840": "US",
  "854": "BF", "858": "UY", "860": "UZ", "862": "VE", "887": "YE", "894": "ZM",
};

// Shapes without an ISO numeric id in world-atlas, matched by properties.name.
// Kosovo has no ISO 3166-1 code; XK is the user-assigned code used by the
// European Commission, CIVICUS and civicmon's countries.csv.
// N. Cyprus and Somaliland are not recognised states and CIVICUS does not rate
// them separately: they are merged into Cyprus and Somalia.
const UNNUMBERED = { "Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO" };

// Codes left out of the map entirely.
const DROP = new Set(["AQ"]); // Antarctica: no civic space rating, and it would take a fifth of the height.

// Natural Earth I projection (Šavrič, Jenny, Patterson, Petrovič, Hurni 2011),
// the same polynomial as d3-geo's geoNaturalEarth1Raw. λ, φ in radians.
function naturalEarth1(lon, lat) {
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180;
  const p2 = p * p, p4 = p2 * p2;
  return [
    l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))),
    p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4))),
  ];
}

// --- group features by alpha-2 code -----------------------------------------

const groups = new Map(); // code -> [geometry]
for (const g of topo.objects.countries.geometries) {
  const name = g.properties?.name;
  let code;
  if (g.id === undefined) {
    code = UNNUMBERED[name];
    if (!code) throw new Error(`feature without id and unknown name ${JSON.stringify(name)}: add it to UNNUMBERED`);
  } else {
    code = NUMERIC[g.id];
    if (!code) throw new Error(`numeric id ${g.id} (${name}) missing from NUMERIC`);
  }
  if (DROP.has(code)) continue;
  if (!groups.has(code)) groups.set(code, []);
  groups.get(code).push(g);
}

// Each code -> list of polygons, each polygon a list of rings, each ring a list
// of arc indices (negative ~i = arc i reversed), as in TopoJSON.
const polygonsOf = new Map();
for (const [code, geoms] of groups) {
  const merged = geoms.length > 1 ? mergeArcs(topo, geoms) : geoms[0];
  const polys = merged.type === "Polygon" ? [merged.arcs] : merged.type === "MultiPolygon" ? merged.arcs : [];
  polygonsOf.set(code, polys);
}

// --- decode arcs, cut them at the antimeridian, project ----------------------
//
// world-atlas v2 is made for d3's spherical clipping: a few rings (Russia's
// Chukotka and an island of it, one island of Fiji) cross the antimeridian,
// where consecutive points jump from +180° to -180°. Such an arc is cut into
// pieces at each crossing, with a point on the +180° and on the -180° edge at
// the crossing's latitude; a ring then falls into chains that are closed along
// the map edge (see ringsOf). Antarctica's edge-to-edge arc is not drawn.

const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;
const pieces = topo.arcs.map((arc) => {
  let x = 0, y = 0;
  const pts = arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
  const out = [[pts[0]]];
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1], q = pts[i];
    if (Math.abs(q[0] - p[0]) > 180) {
      const east = p[0] > 0 ? 1 : -1; // +1 when p lies on the +180° side
      const qlon = q[0] + 360 * east;
      const edge = 180 * east;
      const t = qlon === p[0] ? 0 : (edge - p[0]) / (qlon - p[0]);
      const lat = p[1] + t * (q[1] - p[1]);
      out[out.length - 1].push([edge, lat]);
      out.push([[-edge, lat]]);
    }
    out[out.length - 1].push(q);
  }
  return out.map((piece) => piece.map(([lon, lat]) => {
    const [px, py] = naturalEarth1(lon, lat);
    return [px, -py]; // SVG y grows downwards
  }));
});

// Fit only the arcs that are drawn.
const used = new Set();
for (const polys of polygonsOf.values()) for (const rings of polys) for (const ring of rings) for (const a of ring) used.add(a < 0 ? ~a : a);
let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
for (const i of used) for (const piece of pieces[i]) for (const [x, y] of piece) {
  x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
}
const k = (WIDTH - 2 * PAD) / (x1 - x0);
const HEIGHT = Math.ceil((y1 - y0) * k + 2 * PAD);
const toPx = ([x, y]) => [(x - x0) * k + PAD, (y - y0) * k + PAD];

// --- simplify each arc once (Douglas–Peucker), then round --------------------

function segDist2(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
  return ex * ex + ey * ey;
}

function douglasPeucker(pts, tol) {
  if (pts.length <= 2) return pts.slice();
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  // A closed arc (an island) has equal ends: split it at its farthest point
  // first, so the two halves are simplified against a real segment.
  const stack = [];
  const first = pts[0], last = pts[pts.length - 1];
  if (first[0] === last[0] && first[1] === last[1]) {
    let far = 1, best = -1;
    for (let i = 1; i < pts.length - 1; i++) {
      const d = (pts[i][0] - first[0]) ** 2 + (pts[i][1] - first[1]) ** 2;
      if (d > best) { best = d; far = i; }
    }
    keep[far] = 1;
    stack.push([0, far], [far, pts.length - 1]);
  } else {
    stack.push([0, pts.length - 1]);
  }
  const tol2 = tol * tol;
  while (stack.length) {
    const [s, e] = stack.pop();
    let idx = -1, best = tol2;
    for (let i = s + 1; i < e; i++) {
      const d = segDist2(pts[i], pts[s], pts[e]);
      if (d > best) { best = d; idx = i; }
    }
    if (idx >= 0) { keep[idx] = 1; stack.push([s, idx], [idx, e]); }
  }
  return pts.filter((_, i) => keep[i]);
}

function simplifyPiece(piece) {
  const px = piece.map(toPx);
  const rounded = douglasPeucker(px, TOLERANCE).map(([x, y]) => [Math.round(x), Math.round(y)]);
  // Drop consecutive duplicates created by rounding (keep both ends).
  const outPts = [rounded[0]];
  for (let j = 1; j < rounded.length; j++) {
    const p = outPts[outPts.length - 1], q = rounded[j];
    if (p[0] !== q[0] || p[1] !== q[1] || j === rounded.length - 1) outPts.push(q);
  }
  return outPts;
}

// simplified[i] is arc i as a list of pieces of integer points; consecutive
// pieces are separated by an antimeridian crossing.
const simplified = pieces.map((ps, i) => (used.has(i) ? ps.map(simplifyPiece) : null));

// --- rebuild rings and write paths -------------------------------------------

function dedupe(pts) {
  const clean = [];
  for (const p of pts) {
    const q = clean[clean.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) clean.push(p);
  }
  // z closes the ring: drop a closing point equal to the first.
  while (clean.length > 1 && clean[0][0] === clean[clean.length - 1][0] && clean[0][1] === clean[clean.length - 1][1]) clean.pop();
  return clean;
}

// ringsOf turns a TopoJSON ring (arc indices) into one or more closed rings of
// integer points: one if it does not cross the antimeridian, otherwise two
// chains, each closed by a straight edge along the map's left or right edge.
function ringsOf(ring) {
  const chains = [[]];
  for (const a of ring) {
    const ps = a < 0 ? simplified[~a].slice().reverse().map((p) => p.slice().reverse()) : simplified[a];
    ps.forEach((piece, n) => {
      if (n > 0) chains.push([]);
      chains[chains.length - 1].push(...piece);
    });
  }
  if (chains.length === 1) return [dedupe(chains[0])];
  if (chains.length !== 3) throw new Error(`a ring crosses the antimeridian ${chains.length - 1} times; only 2 is handled`);
  // The ring is closed, so the last chain runs on into the first.
  return [dedupe(chains[2].concat(chains[0])), dedupe(chains[1])];
}

function area(pts) {
  let s = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) s += (pts[j][0] + pts[i][0]) * (pts[j][1] - pts[i][1]);
  return Math.abs(s) / 2;
}

// Appends a signed integer pair to a path string, using the minimum number of
// separators: a minus sign separates numbers on its own.
function num(s, n, first) {
  if (first || n < 0) return s + n;
  return s + " " + n;
}

const pair = (x, y) => num(String(x), y, false);

const lines = [];
const stats = { points: 0, rings: 0, droppedRings: 0 };
for (const code of [...polygonsOf.keys()].sort()) {
  // Collect parts (an exterior ring and its holes); a polygon whose exterior
  // crosses the antimeridian gives two parts, its holes going with the first.
  // Parts and holes too small to see are dropped, but never a country's largest part.
  const polys = [];
  let largest = null, largestArea = -1;
  for (const rings of polygonsOf.get(code)) {
    const exteriors = ringsOf(rings[0]);
    const holes = rings.slice(1).flatMap(ringsOf);
    exteriors.forEach((ext, n) => {
      const poly = { a: area(ext), rings: n === 0 ? [ext, ...holes] : [ext] };
      polys.push(poly);
      if (poly.a > largestArea) { largestArea = poly.a; largest = poly; }
    });
  }
  let d = "";
  let cur = null;
  for (const poly of polys) {
    if (poly !== largest && (poly.a < MIN_AREA || poly.rings[0].length < 3)) { stats.droppedRings += poly.rings.length; continue; }
    for (let r = 0; r < poly.rings.length; r++) {
      const pts = poly.rings[r];
      if (r > 0 && (pts.length < 3 || area(pts) < MIN_AREA)) { stats.droppedRings++; continue; }
      if (pts.length === 0) continue;
      stats.rings++;
      stats.points += pts.length;
      const [sx0, sy0] = pts[0];
      d += cur === null ? "M" + pair(sx0, sy0) : "m" + pair(sx0 - cur[0], sy0 - cur[1]);
      if (pts.length > 1) {
        d += "l";
        let prev = pts[0];
        for (let j = 1; j < pts.length; j++) {
          const dx = pts[j][0] - prev[0], dy = pts[j][1] - prev[1];
          d = num(d, dx, j === 1);
          d = num(d, dy, false);
          prev = pts[j];
        }
      }
      d += "z";
      cur = pts[0]; // after z the current point is the ring's start
    }
  }
  if (!d) throw new Error(`${code}: nothing left to draw`);
  lines.push(code + " " + d);
}

// Small states: rated by CIVICUS but with no shape at 1:110m (or one under
// MIN_AREA). Each is a point at its capital or main island (longitude,
// latitude), projected like the shapes; worldmap draws it as a marker.
const SMALL = {
  AD: [1.52, 42.51], AG: [-61.8, 17.08], BB: [-59.54, 13.19], BH: [50.56, 26.07], CV: [-23.6, 15.1],
  DM: [-61.37, 15.41], FM: [158.2, 6.9], GD: [-61.68, 12.12], HK: [114.17, 22.32], KI: [173.0, 1.4],
  KM: [43.87, -11.88], KN: [-62.78, 17.34], LC: [-60.98, 13.91], LI: [9.55, 47.17], MC: [7.42, 43.74],
  MH: [171.18, 7.13], MT: [14.38, 35.94], MU: [57.55, -20.35], MV: [73.22, 3.2], NR: [166.93, -0.52],
  PW: [134.58, 7.51], SC: [55.49, -4.68], SG: [103.82, 1.35], SM: [12.46, 43.94], ST: [6.61, 0.19],
  TO: [-175.2, -21.18], TV: [179.2, -8.52], VC: [-61.2, 13.25], WS: [-172.1, -13.76],
};
const points = [];
for (const [code, [lon, lat]] of Object.entries(SMALL).sort()) {
  if (polygonsOf.has(code)) throw new Error(`${code} has a shape: remove it from SMALL`);
  const [px, py] = naturalEarth1(lon, lat);
  const [x, y] = toPx([px, -py]);
  points.push(`point ${code} ${x.toFixed(1)} ${y.toFixed(1)}`);
}

const header = [
  `# Generated by tools/worldmap/convert.mjs — do not edit; see tools/worldmap/README.md.`,
  `# Source: Natural Earth 1:110m Admin 0 countries (public domain) via npm world-atlas@${atlasPkg.version} countries-110m.json.`,
  `# Natural Earth I projection; Douglas-Peucker tolerance ${TOLERANCE}; islands under ${MIN_AREA} sq units dropped; Antarctica dropped;`,
  `# N. Cyprus merged into CY, Somaliland into SO; Kosovo is XK. One line a country: ISO 3166-1 alpha-2, space, SVG path d.`,
  `# Small states follow as "point CODE X Y": a marker's place in the viewBox.`,
  `viewBox 0 0 ${WIDTH} ${HEIGHT}`,
];
const text = header.join("\n") + "\n" + lines.join("\n") + "\n" + points.join("\n") + "\n";
writeFileSync(out, text);
console.log(`wrote ${out}: ${lines.length} countries, ${stats.rings} rings, ${stats.points} points, ${stats.droppedRings} small rings dropped, ${text.length} bytes, viewBox 0 0 ${WIDTH} ${HEIGHT}`);
