/*
 * svg.c: --svg FILE, one panel per cluster: the grid's intensity over the
 * simulated period (a line, left axis, the same scale for every cluster)
 * and the average power the jobs drew there (areas, right axis) under
 * agnostic (grey) and the chosen policy (green).  Work that moved shows as
 * green where there was no grey: another panel, or a later time.
 */
#include <stdlib.h>
#include <string.h>

#include "carbon-sim.h"

#define W	1200
#define PANEL_H 160
#define GAP	46
#define LEFT	70
#define RIGHT	80
#define TOP	70
#define BINS	600

struct plot {
	const struct run *r;
	int64_t t0, t1;
	double bin_s;
	double *inten; /* [cluster][bin], < 0: no data */
	double *kw[2]; /* agnostic, shown policy: [cluster][bin] */
	double max_i, max_kw;
};

/* Text for an SVG element: &, < and > escaped. */
static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s, f);
	}
}

static double x_of(const struct plot *p, double bin)
{
	(void)p;
	return LEFT + bin * (double)(W - LEFT - RIGHT) / BINS;
}

static double y0_of(size_t c)
{
	return TOP + (double)c * (PANEL_H + GAP) + PANEL_H;
}

static void fill_intensity(struct plot *p)
{
	for (size_t c = 0; c < p->r->o->nclusters; c++) {
		const carbon_series *s = p->r->data[c].trace;

		for (int b = 0; b < BINS; b++) {
			int64_t a = p->t0 + (int64_t)(b * p->bin_s);
			int64_t e = p->t0 + (int64_t)((b + 1) * p->bin_s);
			double v = -1;

			if (e <= a || !carbon_series_covers(s, a, e) ||
			    carbon_series_mean(s, a, e, &v, NULL, 0))
				v = -1;
			p->inten[c * BINS + (size_t)b] = v;
			if (v > p->max_i)
				p->max_i = v;
		}
	}
}

/* Spread each job's energy over the bins its run overlaps, as kW. */
static void fill_power(struct plot *p, int which,
		       const struct policy_result *pr)
{
	double *kw = p->kw[which];

	for (size_t i = 0; i < p->r->wl.n; i++) {
		const struct carbon_sim_outcome *o = &pr->out[i];
		double len = (double)(o->end - o->start);
		double a = (double)(o->start - p->t0) / p->bin_s;
		double e = (double)(o->end - p->t0) / p->bin_s;

		if (len <= 0)
			continue;
		for (int b = a < 0 ? 0 : (int)a; b < BINS && b < e; b++) {
			double lo = a > b ? a : b, hi = e < b + 1 ? e : b + 1;

			/* kWh in the bin / bin hours = kW */
			kw[o->cluster * BINS + (size_t)b] +=
				o->kwh * (hi - lo) * p->bin_s / len /
				(p->bin_s / 3600.0);
		}
	}
	for (size_t k = 0; k < p->r->o->nclusters * BINS; k++)
		if (kw[k] > p->max_kw)
			p->max_kw = kw[k];
}

static void area(FILE *f, const struct plot *p, size_t c, const double *kw,
		 const char *style)
{
	double y0 = y0_of(c);

	fprintf(f, "<path style=\"%s\" d=\"M%.1f %.1f", style, x_of(p, 0), y0);
	for (int b = 0; b < BINS; b++) {
		double y = y0 - kw[c * BINS + (size_t)b] / p->max_kw * PANEL_H;

		fprintf(f, " L%.1f %.1f L%.1f %.1f", x_of(p, b), y,
			x_of(p, b + 1), y);
	}
	fprintf(f, " L%.1f %.1f Z\"/>\n", x_of(p, BINS), y0);
}

static void line(FILE *f, const struct plot *p, size_t c)
{
	double y0 = y0_of(c);
	bool pen = false;

	fprintf(f, "<path style=\"fill:none;stroke:#b03a2e;stroke-width:1.2\" "
		   "d=\"");
	for (int b = 0; b < BINS; b++) {
		double v = p->inten[c * BINS + (size_t)b];

		if (v < 0) {
			pen = false;
			continue;
		}
		fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", x_of(p, b + 0.5),
			y0 - v / p->max_i * PANEL_H);
		pen = true;
	}
	fprintf(f, "\"/>\n");
}

static void time_axis(FILE *f, const struct plot *p, size_t c)
{
	static const int64_t steps[] = {86400, 7 * 86400, 14 * 86400,
					30 * 86400, 91 * 86400};
	int64_t span = p->t1 - p->t0, step = steps[4];
	double y0 = y0_of(c);

	for (size_t k = 0; k < 5; k++)
		if (span / steps[k] <= 12) {
			step = steps[k];
			break;
		}
	for (int64_t t = p->t0 - p->t0 % 86400 + 86400; t < p->t1; t += step) {
		double x = x_of(p, (double)(t - p->t0) / p->bin_s);
		char d[32];

		fmt_utc(t, d, sizeof(d));
		d[10] = '\0';
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#ccc\"/>\n",
			x, y0 - PANEL_H, x, y0 + 4);
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" class=\"s\" "
			"text-anchor=\"middle\">%s</text>\n",
			x, y0 + 16, d);
	}
}

static void panel(FILE *f, const struct plot *p, size_t c, const char *pol)
{
	const struct run *r = p->r;
	double y0 = y0_of(c), kwh[2] = {0, 0};

	for (int w = 0; w < 2; w++)
		for (int b = 0; b < BINS; b++)
			kwh[w] += p->kw[w][c * BINS + (size_t)b] * p->bin_s /
				  3600.0;
	fprintf(f,
		"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" "
		"fill=\"none\" stroke=\"#888\"/>\n",
		LEFT, y0 - PANEL_H, W - LEFT - RIGHT, PANEL_H);
	time_axis(f, p, c);
	area(f, p, c, p->kw[0], "fill:#7f7f7f;fill-opacity:0.45;stroke:none");
	area(f, p, c, p->kw[1], "fill:#1e8449;fill-opacity:0.45;stroke:none");
	line(f, p, c);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"t\">", LEFT,
		y0 - PANEL_H - 6);
	xml_text(f, r->clusters[c].name);
	fprintf(f,
		" (%u cores, trace mean %.0f gCO2eq/kWh): agnostic %.0f kWh, "
		"%s %.0f kWh</text>\n",
		r->clusters[c].cores, r->data[c].mean, kwh[0], pol, kwh[1]);
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\" class=\"s\" "
		"text-anchor=\"end\">%.0f g/kWh</text>\n",
		LEFT - 4, y0 - PANEL_H + 10, p->max_i);
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\" class=\"s\" "
		"text-anchor=\"end\">0</text>\n",
		LEFT - 4, y0);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"s\">%.1f kW</text>\n",
		W - RIGHT + 4, y0 - PANEL_H + 10, p->max_kw);
}

static int shown_policy(const struct run *r)
{
	for (int k = 1; k < NPOLICIES; k++)
		if (r->res[k].ran && !strcmp(policy_names[k], r->o->svg_policy))
			return k;
	for (int k = 1; k < NPOLICIES; k++)
		if (r->res[k].ran)
			return k;
	return P_AGNOSTIC;
}

static void draw(FILE *f, const struct plot *p, int k)
{
	const struct run *r = p->r;
	size_t nc = r->o->nclusters;
	int h = TOP + (int)nc * (PANEL_H + GAP) + 10;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\">\n"
		"<style>.t{font-size:13px}.s{font-size:10px;fill:#444}"
		"</style>\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"white\"/>\n",
		W, h, W, h);
	fprintf(f, "<text x=\"%d\" y=\"22\" style=\"font-size:16px\">", LEFT);
	xml_text(f, r->o->label ? r->o->label : "carbon-sim");
	fprintf(f, ": where and when the energy went</text>\n");
	fprintf(f,
		"<text x=\"%d\" y=\"42\" class=\"t\">"
		"<tspan fill=\"#b03a2e\">&#8212; grid intensity (left "
		"axis)</tspan>   <tspan fill=\"#7f7f7f\">&#9632; power, "
		"agnostic</tspan>   <tspan fill=\"#1e8449\">&#9632; power, "
		"%s</tspan> (right axis)</text>\n",
		LEFT, policy_names[k]);
	for (size_t c = 0; c < nc; c++)
		panel(f, p, c, policy_names[k]);
	fprintf(f, "</svg>\n");
}

int write_svg(const char *path, const struct run *r)
{
	struct plot p = {.r = r};
	size_t n = r->o->nclusters * BINS;
	int k = shown_policy(r), rc = -1;
	FILE *f = NULL;

	p.t0 = r->wl.jobs[0].submit;
	p.t1 = r->res[P_AGNOSTIC].m.last_end;
	if (r->res[k].m.last_end > p.t1)
		p.t1 = r->res[k].m.last_end;
	p.bin_s = (double)(p.t1 - p.t0) / BINS;
	if (p.bin_s < 1)
		p.bin_s = 1;
	p.inten = calloc(n, sizeof(double));
	p.kw[0] = calloc(n, sizeof(double));
	p.kw[1] = calloc(n, sizeof(double));
	if (!p.inten || !p.kw[0] || !p.kw[1])
		goto out;
	fill_intensity(&p);
	fill_power(&p, 0, &r->res[P_AGNOSTIC]);
	fill_power(&p, 1, &r->res[k]);
	if (p.max_i <= 0)
		p.max_i = 1;
	if (p.max_kw <= 0)
		p.max_kw = 1;
	f = fopen(path, "w");
	if (!f)
		goto out;
	draw(f, &p, k);
	rc = fclose(f) ? -1 : 0;
out:
	if (rc)
		perror(path);
	free(p.inten);
	free(p.kw[0]);
	free(p.kw[1]);
	return rc;
}
