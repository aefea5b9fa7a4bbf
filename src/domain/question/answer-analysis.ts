import { type BasicStatQuery, BUCKET_MS } from "../query/stat-query.ts";
import type { Difference, Episode, MinutePoint } from "./analysis.ts";
import { clockTime, scopeWords } from "./describe.ts";
import { formatValue } from "./format.ts";
import { describeTimeRange } from "./time-expr.ts";
import type { AnalysisKind, Language } from "./types.ts";

/** Words for ANALYSIS answers: the episode's start, peak and end against its baseline; the differing fields. */

export interface EpisodeAnswerInput {
  kind: AnalysisKind;
  query: BasicStatQuery;
  points: readonly MinutePoint[];
  episode: Episode | undefined;
  /** Error codes of the episode's failing requests, most first (exact, from rollups). */
  codes: readonly { code: string; count: number }[];
  language: Language;
  now: number;
  tzOffsetMinutes?: number;
}

const pct = (v: number) => formatValue("error_rate", v, "en");

export function episodeAnswer(input: EpisodeAnswerInput): string {
  const { query, episode: e, language, tzOffsetMinutes = 0 } = input;
  const ko = language === "ko";
  const when = describeTimeRange(query.timeRange, input.now, language, tzOffsetMinutes);
  const scope = scopeWords(query.filter, language);
  const t = (iso: string) => clockTime(iso, tzOffsetMinutes);
  // The first bucket back to normal: the end bucket's start plus one bucket.
  const endAt = e ? new Date(Date.parse(e.end) + BUCKET_MS[query.bucket ?? "1m"]).toISOString() : "";
  if (!e) {
    const max = input.points.reduce<MinutePoint | undefined>((m, p) => (!m || p.rate > m.rate ? p : m), undefined);
    if (!max) return ko ? `${when} ${scope || "전체"} 트래픽이 없습니다.` : `No traffic${scope ? ` for ${scope}` : ""} ${when}.`;
    return ko
      ? `${when} ${scope || "전체"} 에러율에 뚜렷한 변화가 없습니다: 최고 ${pct(max.rate)} (${t(max.at)}), 분당 ${input.points.length}개 구간 기준.`
      : `No change point: the error rate${scope ? ` of ${scope}` : ""} stayed level ${when} (highest minute ${pct(max.rate)} at ${t(max.at)}, ${input.points.length} minutes with traffic).`;
  }
  const codes = input.codes
    .slice(0, 3)
    .map((c) => `${c.code} ${formatValue("count", c.count, language)}`)
    .join(", ");
  const status = e.ongoing
    ? ko
      ? `아직 진행 중입니다 (마지막 분 ${pct(input.points.at(-1)?.rate ?? 0)})`
      : `still ongoing (latest minute ${pct(input.points.at(-1)?.rate ?? 0)})`
    : ko
      ? `${t(endAt)}에 기준선으로 돌아왔습니다`
      : `back to baseline at ${t(endAt)}`;
  const size = ko
    ? `이 구간의 실패 요청 약 ${formatValue("count", e.errors, "ko")} / 전체 ${formatValue("count", e.requests, "ko")}`
    : `about ${formatValue("count", e.errors, "en")} failing of ${formatValue("count", e.requests, "en")} requests in it`;
  if (ko) {
    const head =
      input.kind === "is_over"
        ? e.ongoing
          ? "아니요, 끝나지 않았습니다."
          : `네, ${t(endAt)}에 끝났습니다.`
        : input.kind === "when_started"
          ? `${t(e.start)}에 시작했습니다.`
          : `${t(e.start)}부터 ${scope || "전체"} 에러율이 급증했습니다.`;
    return `${head} ${scope || "전체"} 에러율이 ${t(e.start)}에 기준선 ${pct(e.baseline)}(임계값 ${pct(e.threshold)})을 넘었고, ${t(e.peak.at)}에 최고 ${pct(e.peak.rate)}, ${status}. ${size}.${codes ? ` 주요 에러 코드: ${codes}.` : ""}`;
  }
  const head =
    input.kind === "is_over"
      ? e.ongoing
        ? "No, it is not over."
        : `Yes, it ended at ${t(endAt)}.`
      : input.kind === "when_started"
        ? `It started at ${t(e.start)}.`
        : `The error rate${scope ? ` of ${scope}` : ""} spiked from ${t(e.start)}.`;
  return `${head} The error rate${scope ? ` of ${scope}` : ""} rose above its baseline of ${pct(e.baseline)} (threshold ${pct(e.threshold)}) at ${t(e.start)}, peaked at ${pct(e.peak.rate)} at ${t(e.peak.at)}, ${status}; ${size}.${codes ? ` Top error codes: ${codes}.` : ""}`;
}

export interface DifferenceAnswerInput {
  query: BasicStatQuery;
  cohort: "failing" | "slow";
  differences: readonly Difference[];
  targetCount: number;
  restCount: number;
  language: Language;
  now: number;
  tzOffsetMinutes?: number;
}

export function differenceAnswer(input: DifferenceAnswerInput): string {
  const { differences, language } = input;
  const ko = language === "ko";
  const when = describeTimeRange(input.query.timeRange, input.now, language, input.tzOffsetMinutes);
  const scope = scopeWords(input.query.filter, language);
  const set = ko ? (input.cohort === "slow" ? "느린 요청" : "실패한 요청") : input.cohort === "slow" ? "slow requests" : "failing requests";
  const n = (v: number) => formatValue("count", v, language);
  const share = (v: number) => `${(v * 100).toFixed(0)}%`;
  if (input.targetCount === 0) {
    return ko ? `${when} ${scope || "전체"}에 ${set}이 없습니다.` : `No ${set}${scope ? ` for ${scope}` : ""} ${when}.`;
  }
  const list = differences
    .map((d) =>
      ko
        ? `${d.field}=${d.value} (${set}의 ${share(d.targetShare)}, 나머지의 ${share(d.restShare)})`
        : `${d.field}=${d.value} (${share(d.targetShare)} of ${set} vs ${share(d.restShare)} of the rest)`,
    )
    .join(ko ? ", " : "; ");
  if (ko) {
    const body = list ? `가장 다른 필드: ${list}.` : "두 집합의 필드 분포에 뚜렷한 차이가 없습니다.";
    return `${when} ${scope || "전체"}의 ${set}(약 ${n(input.targetCount)})을 나머지(약 ${n(input.restCount)})와 비교했습니다 (보관된 이벤트, 샘플링 가중치 적용). ${body}`;
  }
  const body = list ? `Most different: ${list}.` : "No field's distribution differs clearly between the two sets.";
  return `Compared ${set} (about ${n(input.targetCount)})${scope ? ` of ${scope}` : ""} with the rest (about ${n(input.restCount)}) ${when}, from kept events weighted by sampling rate. ${body}`;
}
