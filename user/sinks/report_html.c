// SPDX-License-Identifier: GPL-2.0-only
/*
 * report_html.c - what the picture sink kept, as one self-contained HTML
 * page (vftrace report --html; docs/report.md): inline CSS and script, no
 * fetch of anything. The data is one JSON document in a
 * <script type="application/json"> element, every '<', '>' and '&' in it
 * written as \u003c, \u003e, \u0026 so that no string can end the element;
 * the script builds the page from it with textContent and attributes only
 * (no markup made from strings). Lanes are virtualised: only those on screen
 * are in the DOM, so 10,000 VFs draw as fast as 10, and VFs without findings
 * can be folded away.
 *
 * DOM hooks for tests: each drawn lane is div.lane[data-vf="<key>"], each
 * finding (mark and table row) has data-finding="<CODE>".
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include "sinks/trace_internal.h"
#include "lib/util.h"

static const char page_head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	"<title>vftrace report</title>\n"
	"<style>\n"
	"body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9;"
	"overflow-x:hidden}\n"
	"header{padding:12px 18px;background:#1d2330;color:#fff}\n"
	"header h1{font-size:17px;margin:0 0 4px}\n"
	"header .meta span{margin-right:18px;opacity:.9}\n"
	"#controls{padding:8px 18px;background:#e8ebf0;position:sticky;top:0;z-index:3;"
	"display:flex;gap:18px;align-items:center}\n"
	"#axis{position:relative;height:18px;margin-left:260px;margin-right:18px;"
	"font-size:11px;color:#555}\n"
	"#axis span{position:absolute;transform:translateX(-50%)}\n"
	"#lanes{position:relative;margin:0 18px 0 0}\n"
	".lane{position:absolute;left:0;right:0;height:26px;display:flex;"
	"border-bottom:1px solid #e1e4ea}\n"
	".lane.hasf{background:#fff6f5}\n"
	".lane .label{width:260px;box-sizing:border-box;padding:0 6px 0 18px;white-space:nowrap;overflow:hidden;"
	"text-overflow:ellipsis;font:12px/26px ui-monospace,monospace}\n"
	".lane .track{position:relative;flex:1;overflow:hidden}\n"
	".stay{position:absolute;top:4px;height:18px;border-radius:3px;min-width:2px;"
	"overflow:hidden;white-space:nowrap;font-size:10px;line-height:18px;padding-left:3px;"
	"box-sizing:border-box;color:#222}\n"
	".step{position:absolute;top:6px;width:2px;height:14px;background:#33415c}\n"
	".step.fail{background:#c0392b;width:3px}\n"
	".mark{position:absolute;top:2px;width:10px;height:10px;margin-left:-5px;"
	"transform:rotate(45deg);border:1px solid #fff}\n"
	".sev-error{background:#d62828}.sev-warning{background:#f4a100}"
	".sev-info{background:#2a7ab0}\n"
	"section{padding:10px 18px}\n"
	"table{border-collapse:collapse;width:100%;background:#fff}\n"
	"th,td{border:1px solid #dde1e7;padding:4px 6px;text-align:left;vertical-align:top}\n"
	"th{background:#eef0f4}\n"
	"td:first-child{white-space:nowrap}\n"
	"td.sev{font-weight:600}\n"
	"tr.resolved td{color:#777}\n"
	".vfref{cursor:pointer;text-decoration:underline dotted}\n"
	"#empty{padding:10px 18px;color:#555}\n"
	"</style></head>\n"
	"<body>\n"
	"<header><h1>vftrace report</h1><div class=\"meta\" id=\"meta\"></div></header>\n"
	"<div id=\"controls\"><label><input type=\"checkbox\" id=\"onlyf\"> only VFs with "
	"findings</label><label>VF <input type=\"search\" id=\"filter\" "
	"placeholder=\"key or name\"></label><span id=\"shown\"></span></div>\n"
	"<div id=\"axis\"></div>\n"
	"<div id=\"lanes\"></div><div id=\"empty\" hidden>no VF to show</div>\n"
	"<section><h2>Findings</h2><table id=\"findings\"><thead><tr><th>time</th>"
	"<th>severity</th><th>code</th><th>VF</th><th>message</th><th>remedy</th>"
	"<th>resolved</th></tr></thead><tbody></tbody></table></section>\n"
	"<script type=\"application/json\" id=\"vft-data\">";

static const char page_script[] =
	"</script>\n"
	"<script>\n"
	"'use strict';\n"
	"const J = JSON.parse(document.getElementById('vft-data').textContent);\n"
	"const D = {...J.head, vfs: J.vfs, findings: J.findings};\n"
	"const H = 26, OVER = 10;\n"
	"const span = Math.max(D.span_us, 1);\n"
	"function el(tag, cls, text) {\n"
	"  const e = document.createElement(tag);\n"
	"  if (cls) e.className = cls;\n"
	"  if (text !== undefined) e.textContent = text;\n"
	"  return e;\n"
	"}\n"
	"function pct(us) { return Math.min(100, Math.max(0, us / span * 100)) + '%'; }\n"
	"function fmt(us) {\n"
	"  if (span >= 120e6) return (us / 60e6).toFixed(2) + ' min';\n"
	"  if (span >= 2e6) return (us / 1e6).toFixed(3) + ' s';\n"
	"  return (us / 1e3).toFixed(3) + ' ms';\n"
	"}\n"
	"function hue(s) {\n"
	"  let h = 0;\n"
	"  for (const c of s) h = (h * 31 + c.codePointAt(0)) >>> 0;\n"
	"  return 'hsla(' + (h % 360) + ',65%,55%,.5)';\n"
	"}\n"
	"const byVf = new Map();\n"
	"for (const f of D.findings) {\n"
	"  if (!byVf.has(f.vf)) byVf.set(f.vf, []);\n"
	"  byVf.get(f.vf).push(f);\n"
	"}\n"
	"const sev = {error: 0, warning: 0, info: 0};\n"
	"for (const f of D.findings) sev[f.severity]++;\n"
	"document.title = 'vftrace report: ' + D.host;\n"
	"const meta = document.getElementById('meta');\n"
	"for (const t of ['host ' + D.host, 'Linux ' + D.kernel, 'from ' + D.start,\n"
	"    'span ' + fmt(D.span_us), D.vfs.length + ' VFs', D.events + ' events',\n"
	"    D.findings.length + ' findings (' + sev.error + ' errors, ' + sev.warning +\n"
	"    ' warnings, ' + sev.info + ' info)', 'captures: ' + D.captures.join(' ')])\n"
	"  meta.appendChild(el('span', '', t));\n"
	"const axis = document.getElementById('axis');\n"
	"for (let i = 0; i <= 10; i++) {\n"
	"  const s = el('span', '', fmt(span * i / 10));\n"
	"  s.style.left = (i * 10) + '%';\n"
	"  axis.appendChild(s);\n"
	"}\n"
	"const lanes = document.getElementById('lanes');\n"
	"const onlyf = document.getElementById('onlyf');\n"
	"const filter = document.getElementById('filter');\n"
	"onlyf.checked = D.vfs.length > 200 && D.findings.length > 0;\n"
	"let shown = [], drawn = '';\n"
	"function lane(v, i) {\n"
	"  const fs = byVf.get(v.key) || [];\n"
	"  const d = el('div', 'lane' + (fs.length ? ' hasf' : ''));\n"
	"  d.dataset.vf = v.key;\n"
	"  d.style.top = (i * H) + 'px';\n"
	"  const l = el('div', 'label', v.label);\n"
	"  l.title = v.label + (v.pf ? '\\nVF ' + v.vf_index + ' of ' + v.pf : '') +\n"
	"    (v.driver ? '\\ndriver ' + v.driver : '') +\n"
	"    (v.steps_dropped ? '\\n' + v.steps_dropped + ' steps not kept' : '');\n"
	"  d.appendChild(l);\n"
	"  const t = el('div', 'track');\n"
	"  for (const s of v.stays) {\n"
	"    const b = el('div', 'stay');\n"
	"    b.style.left = pct(s.start);\n"
	"    b.style.width = 'calc(' + pct(s.end - s.start) + ' + 2px)';\n"
	"    b.style.background = hue(s.label);\n"
	"    b.title = s.label + ': ' + fmt(s.start) + ' to ' + fmt(s.end);\n"
	"    b.textContent = s.label;\n"
	"    b.dataset.stay = s.label;\n"
	"    t.appendChild(b);\n"
	"  }\n"
	"  for (const s of v.steps) {\n"
	"    const m = el('i', 'step' + (s.errno ? ' fail' : ''));\n"
	"    m.style.left = pct(s.t);\n"
	"    m.title = fmt(s.t) + '  ' + s.text + (s.actor ? '  by ' + s.actor : '') +\n"
	"      (s.errno ? '  ' + s.errno : '');\n"
	"    t.appendChild(m);\n"
	"  }\n"
	"  for (const f of fs) {\n"
	"    const m = el('b', 'mark sev-' + f.severity);\n"
	"    m.style.left = pct(f.t);\n"
	"    m.dataset.finding = f.code;\n"
	"    m.title = f.severity.toUpperCase() + ' ' + f.code + ' at ' + fmt(f.t) + '\\n' +\n"
	"      f.message + '\\nremedy: ' + f.remedy +\n"
	"      (f.resolved ? '\\nresolved: ' + f.resolved.by : '');\n"
	"    t.appendChild(m);\n"
	"  }\n"
	"  d.appendChild(t);\n"
	"  return d;\n"
	"}\n"
	"function draw() {\n"
	"  const top = lanes.getBoundingClientRect().top;\n"
	"  const first = Math.max(0, Math.floor(-top / H) - OVER);\n"
	"  const last = Math.min(shown.length, Math.ceil((window.innerHeight - top) / H) + OVER);\n"
	"  const key = first + ':' + last + ':' + shown.length;\n"
	"  if (key === drawn) return;\n"
	"  drawn = key;\n"
	"  const frag = document.createDocumentFragment();\n"
	"  for (let i = first; i < last; i++) frag.appendChild(lane(shown[i], i));\n"
	"  lanes.replaceChildren(frag);\n"
	"}\n"
	"function select() {\n"
	"  const q = filter.value.trim();\n"
	"  shown = D.vfs.filter(v => (!onlyf.checked || byVf.has(v.key)) &&\n"
	"    (!q || v.label.includes(q)));\n"
	"  lanes.style.height = (shown.length * H) + 'px';\n"
	"  document.getElementById('empty').hidden = shown.length > 0;\n"
	"  document.getElementById('shown').textContent = shown.length + ' of ' +\n"
	"    D.vfs.length + ' VFs';\n"
	"  drawn = '';\n"
	"  draw();\n"
	"}\n"
	"onlyf.addEventListener('change', select);\n"
	"filter.addEventListener('input', select);\n"
	"window.addEventListener('scroll', draw, {passive: true});\n"
	"window.addEventListener('resize', () => { drawn = ''; draw(); });\n"
	"const tbody = document.querySelector('#findings tbody');\n"
	"for (const f of D.findings) {\n"
	"  const r = el('tr', f.resolved ? 'resolved' : '');\n"
	"  r.dataset.finding = f.code;\n"
	"  r.dataset.vf = f.vf;\n"
	"  r.appendChild(el('td', '', fmt(f.t)));\n"
	"  const s = el('td', 'sev', f.severity);\n"
	"  s.classList.add('sev-' + f.severity);\n"
	"  r.appendChild(s);\n"
	"  r.appendChild(el('td', '', f.code));\n"
	"  const v = el('td', 'vfref', f.vf);\n"
	"  v.title = 'show this VF\\'s lane';\n"
	"  v.addEventListener('click', () => { filter.value = f.vf; onlyf.checked = false;\n"
	"    select(); lanes.scrollIntoView(); });\n"
	"  r.appendChild(v);\n"
	"  r.appendChild(el('td', '', f.message));\n"
	"  r.appendChild(el('td', '', f.remedy));\n"
	"  r.appendChild(el('td', '', f.resolved ? 'after ' + fmt(f.resolved.t - f.t) +\n"
	"    ': ' + f.resolved.by : ''));\n"
	"  tbody.appendChild(r);\n"
	"}\n"
	"select();\n"
	"</script>\n"
	"</body></html>\n";

/*
 * Writes @o's JSON text with '<', '>' and '&' as \u003c, \u003e, \u0026 (they
 * occur only inside strings), so that no string ends the script element
 * ("</script>", "<!--"). Frees @o. 0 or -errno.
 */
static int put_json(FILE *out, struct json_object *o)
{
	const char *s, *p;
	int err = 0;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	for (p = s; p && *p && !err; p++) {
		if (*p == '<' || *p == '>' || *p == '&') {
			if (fprintf(out, "\\u%04x", (unsigned char)*p) < 0)
				err = -errno;
		} else if (putc(*p, out) == EOF) {
			err = -errno;
		}
	}
	if (!s)
		err = -ENOMEM;
	json_object_put(o);
	return err;
}

static struct json_object *us(const struct tr_model *m, uint64_t ns)
{
	char buf[32];

	tr_fmt_us(m, ns, buf, sizeof(buf));
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

static struct json_object *vf_json(const struct tr_model *m, const struct tr_vf *v)
{
	struct json_object *o = json_object_new_object(), *stays = json_object_new_array();
	struct json_object *steps = json_object_new_array();
	char label[VFT_KEY_LEN + VFT_NAME_LEN + 2], buf[96], ebuf[16];
	size_t i;

	tr_vf__label(v, label, sizeof(label));
	json_object_object_add(o, "key", tr_str(v->key));
	json_object_object_add(o, "label", tr_str(label));
	json_object_object_add(o, "pf", v->pf[0] ? tr_str(v->pf) : NULL);
	json_object_object_add(o, "vf_index", json_object_new_int(v->vf_index));
	json_object_object_add(o, "driver", v->driver[0] ? tr_str(v->driver) : NULL);
	json_object_object_add(o, "steps_dropped",
			       json_object_new_int64((int64_t)v->steps_dropped));
	for (i = 0; i < v->n_stays; i++) {
		struct json_object *s = json_object_new_object();

		tr_stay__label(&v->stays[i], buf, sizeof(buf));
		json_object_object_add(s, "start", us(m, v->stays[i].start_ns));
		json_object_object_add(s, "end", us(m, v->stays[i].end_ns));
		json_object_object_add(s, "label", tr_str(buf));
		json_object_array_add(stays, s);
	}
	json_object_object_add(o, "stays", stays);
	for (i = 0; i < v->n_steps; i++) {
		const struct vft_step *st = &v->steps[i];
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "t", us(m, st->ts_ns));
		json_object_object_add(s, "text", tr_str(st->text));
		if (st->pid) {
			snprintf(buf, sizeof(buf), "%s[%u]", st->comm, st->pid);
			json_object_object_add(s, "actor", tr_str(buf));
		}
		if (st->ret < 0)
			json_object_object_add(s, "errno",
					       tr_str(vft_errno_name(st->ret, ebuf, sizeof(ebuf))));
		json_object_array_add(steps, s);
	}
	json_object_object_add(o, "steps", steps);
	return o;
}

static struct json_object *finding_json(const struct tr_model *m, const struct vft_finding *f)
{
	struct json_object *o = json_object_new_object(), *r;

	json_object_object_add(o, "id", json_object_new_int64((int64_t)f->id));
	json_object_object_add(o, "code", tr_str(vft_finding__name(f->code) ?: "?"));
	json_object_object_add(o, "severity", tr_str(vft_severity__name(f->severity) ?: "?"));
	json_object_object_add(o, "vf", tr_str(f->vf.key));
	json_object_object_add(o, "t", us(m, f->ts_ns));
	json_object_object_add(o, "message", tr_str(f->message));
	json_object_object_add(o, "remedy", tr_str(f->remedy));
	json_object_object_add(o, "evidence", tr_str(f->evidence));
	if (f->resolved) {
		r = json_object_new_object();
		json_object_object_add(r, "t", us(m, f->resolved_ns));
		json_object_object_add(r, "by", tr_str(f->resolved_by));
		json_object_object_add(o, "resolved", r);
	}
	return o;
}

static struct json_object *head_json(const struct tr_model *m)
{
	struct json_object *o = json_object_new_object(), *files = json_object_new_array();
	char ts[64];
	size_t i;

	json_object_object_add(o, "host", tr_str(m->hostname[0] ? m->hostname : "?"));
	json_object_object_add(o, "kernel", tr_str(m->kernel[0] ? m->kernel : "?"));
	vft_fmt_rfc3339(ts, sizeof(ts), m->first_ns);
	json_object_object_add(o, "start", json_object_new_string(ts));
	json_object_object_add(o, "span_us", us(m, m->last_ns));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)m->summary.events));
	for (i = 0; i < m->n_files; i++)
		json_object_array_add(files, tr_str(m->files[i]));
	json_object_object_add(o, "captures", files);
	return o;
}

/* Writes @s, or fails with -errno. */
static int put(FILE *out, const char *s)
{
	return fputs(s, out) == EOF ? (errno ? -errno : -EIO) : 0;
}

int tr_write_html(const struct tr_model *m, FILE *out)
{
	const char *sep = "";
	size_t i;
	int err;

	/* the head's object, then "vfs" and "findings" streamed into it */
	err = put(out, page_head);
	if (!err)
		err = put(out, "{\"head\":");
	if (!err)
		err = put_json(out, head_json(m));
	if (!err)
		err = put(out, ",\n\"vfs\":[");
	for (i = 0; i < m->n_vfs && !err; i++) {
		if (!m->vfs[i]->track)
			continue;
		err = put(out, sep);
		if (!err)
			err = put_json(out, vf_json(m, m->vfs[i]));
		sep = ",\n";
	}
	if (!err)
		err = put(out, "],\n\"findings\":[");
	for (i = 0, sep = ""; i < m->n_findings && !err; i++, sep = ",\n") {
		err = put(out, sep);
		if (!err)
			err = put_json(out, finding_json(m, &m->findings[i]));
	}
	if (!err)
		err = put(out, "]}\n");
	if (!err)
		err = put(out, page_script);
	return err;
}
