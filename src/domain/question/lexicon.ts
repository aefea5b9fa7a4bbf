import type { GroupField, Metric } from "../query/stat-query.ts";

/**
 * The words the rules parser reads, English and Korean side by side. Patterns run on the
 * lower-cased question. Korean has no word boundaries (particles attach to nouns), so Korean
 * alternatives are plain substrings.
 */

/** Questions about the conversation itself: answered from the session, never from the store. */
export const HISTORY_QUESTIONS =
  /\bwhat (?:did|have) i (?:just )?(?:ask|asked|say|said|type|typed)\b|\b(?:my|the) (?:previous|last|earlier|prior|first) (?:question|questions|query|queries)\b|\bwhat (?:was|were) my (?:last |previous |earlier )?(?:question|questions)\b|\bconversation history\b|\bchat history\b|\bwhat have we (?:talked|discussed)\b|물어\s*봤|물어\s*본|물었|질문했|이전\s*질문|아까\s*(?:질문|뭐)|방금\s*(?:질문|뭐)|전에\s*뭐|대화\s*(?:기록|내역|내용)/;

/** "What was the answer?" — repeat the last answer. */
export const ANSWER_QUESTIONS =
  /\bwhat (?:was|did) (?:the|your) (?:last |previous )?(?:answer|result|reply)\b|\bwhat did you (?:say|answer|tell me)\b|\brepeat (?:the|your) (?:last )?(?:answer|result)\b|(?:이전|아까|방금|마지막)\s*(?:답|답변|결과|대답)/;

export const SMALL_TALK =
  /^\s*(?:hi|hello|hey|thanks|thank you|help|who are you|what can you do|how do i use this)\b|^\s*(?:안녕|고마워|감사합니다|감사해요|도움말|도와줘|뭘 할 수|무엇을 할 수|넌 누구|누구세요)/;

export const FOLLOW_UP =
  /^\s*(?:and|what about|how about|same (?:for|but)|now for|ok(?:ay)?,? (?:and|what about))\b|^\s*(?:그럼|그러면|그리고|이번엔|이번에는|그건|그거)|(?:은|는|도)\s*(?:요|어때|어때요)?\s*\??\s*$/;

export const SLOWEST =
  /\bslowest\b|\bslow(?:est)? (?:routes?|endpoints?|services?|apis?)\b|가장\s*느린|제일\s*느린|느린\s*(?:라우트|엔드포인트|경로|서비스|api)/;
export const FASTEST = /\bfastest\b|가장\s*빠른|제일\s*빠른/;

/** In order: the first that matches wins. */
export const METRIC_WORDS: readonly (readonly [Metric, RegExp])[] = [
  [
    "error_rate",
    /\berror[- ]?rates?\b|\bfailure[- ]?rates?\b|\berror (?:ratio|percentage)\b|\bpercent(?:age)? of (?:errors|failures|failed)|\bhow often\b.*\bfail|\b(?:fraction|share|proportion|ratio) of .{0,40}\bfail|에러\s*율|에러\s*률|에러\s*비율|오류\s*율|오류\s*률|오류\s*비율|실패\s*율|실패\s*률|실패\s*비율/,
  ],
  ["p99", /\bp99\b|\b99(?:th)?[ -]?(?:percentile|%ile|pct)\b|99\s*퍼센타일|99\s*분위/],
  ["p95", /\bp95\b|\b95(?:th)?[ -]?(?:percentile|%ile|pct)\b|95\s*퍼센타일|95\s*분위/],
  ["p50", /\bp50\b|\bmedian\b|\b50(?:th)?[ -]?(?:percentile|%ile)\b|중앙값|중간값/],
  ["avg", /\baverage\b|\bavg\b|\bmean\b|평균/],
  ["max", /\bmax(?:imum)?\b|\blongest\b|최대|최장|가장\s*오래/],
  // Not a bare "min": that is "30 min".
  ["min", /\bminimum\b|\bmin (?:latency|duration|response)|\bshortest\b|최소|최단/],
];

export const LATENCY =
  /\blatenc(?:y|ies)\b|\bresponse[- ]times?\b|\bduration\b|\bhow (?:slow|fast|long)\b|\bspeed\b|지연|응답\s*시간|레이턴시|속도|느려|느린|오래\s*걸/;
export const COUNT =
  /\bhow many\b|\bnumber of\b|\bcount\b|\btotal\b|\bvolume\b|\btraffic\b|\bstats?\b|\bstatistics\b|몇\s*(?:건|번|개|회)?|건수|개수|횟수|얼마나\s*많|총\s|통계|트래픽|요청\s*수|에러\s*수|오류\s*수/;
export const ERROR_WORDS = /\berrors?\b|\bfail(?:s|ed|ing|ures?)?\b|\bexceptions?\b|\bcrash(?:es|ed)?\b|에러|오류|실패|장애|예외/;

export const GROUP_WORDS: readonly (readonly [GroupField, RegExp])[] = [
  [
    "errorCode",
    /\b(?:per|by|each|every|across|for each) (?:error[ _-]?codes?|error types?)\b|\berror[ _-]?codes? breakdown\b|\bwhich (?:errors|error codes)\b|\bwhat (?:kinds? of )?errors\b|\btop (?:\d{1,3} )?(?:errors|error codes)\b|(?:에러|오류)\s*(?:코드|종류|유형)\s*(?:별|마다)|(?:어떤|무슨)\s*(?:에러|오류)|(?:에러|오류)\s*코드\s*(?:상위|top|순위|랭킹)|상위\s*\d*\s*(?:개\s*)?(?:에러|오류)(?:\s*코드)?|(?:가장|제일)\s*(?:많은|흔한|잦은|많이\s*난)\s*(?:에러|오류)|\bmost (?:common|frequent) (?:errors|error codes|failures)\b|\berror codes?\b.{0,20}\btop\b|\btop\b.{0,20}\berror codes?\b/,
  ],
  [
    "service",
    /\b(?:per|by|each|every|across|for each) services?\b|\bservices? breakdown\b|\btop (?:\d{1,3} )?services\b|상위\s*\d*\s*(?:개\s*)?서비스|\bwhich services?\b|서비스\s*(?:별|마다|당)|각\s*서비스|(?:어느|어떤)\s*서비스|(?:가장|제일)\s*(?:많은|높은|많이\s*난)\s*서비스/,
  ],
  [
    "route",
    /\b(?:per|by|each|every|across|for each) (?:routes?|endpoints?|paths?)\b|\btop (?:\d{1,3} )?(?:routes|endpoints)\b|상위\s*\d*\s*(?:개\s*)?(?:라우트|엔드포인트)|\bwhich (?:routes?|endpoints?)\b|(?:라우트|엔드포인트|경로|api)\s*(?:별|마다|당)|(?:어느|어떤)\s*(?:라우트|엔드포인트|경로)/,
  ],
  ["statusCode", /\b(?:per|by|each) (?:http )?status(?:[ _-]?codes?)?\b|(?:상태|응답)\s*코드\s*(?:별|마다)/],
  ["method", /\b(?:per|by|each) (?:http )?methods?\b|(?:메서드|메소드)\s*(?:별|마다)/],
];

export const BUCKET_WORDS: readonly (readonly ["1m" | "5m" | "15m" | "1h" | "1d", RegExp])[] = [
  ["5m", /\b(?:per|every|by) 5 ?min(?:ute)?s?\b|\b5[- ]minute\b|5\s*분\s*(?:단위|별|마다)/],
  ["15m", /\b(?:per|every|by) 15 ?min(?:ute)?s?\b|\b15[- ]minute\b|15\s*분\s*(?:단위|별|마다)/],
  ["1m", /\b(?:per|every|by) minute\b|\bminutely\b|분당|분\s*단위|분별/],
  ["1h", /\b(?:per|every|by|each) hour\b|\bhourly\b|시간\s*별|시간대\s*별|시간당|시간\s*단위/],
  ["1d", /\b(?:per|every|by|each) day\b|\bdaily\b|일별|날짜\s*별|하루\s*단위|일\s*단위/],
];
export const TREND = /\bover time\b|\btrend\b|\btime ?series\b|\btimeline\b|추이|추세|흐름|타임라인/;

export const TOP_N = /\btop (\d{1,3})\b|상위\s*(\d{1,3})|(\d{1,3})\s*개/;

export const SEARCH_WORDS =
  /\b(?:show|list|find|search|look up|lookup|give me|display|fetch|get me|see)\b|\berrors? like\b|\bsimilar to\b|\bcontaining\b|\bmatching\b|\bexamples?\b|\bsamples?\b|\blatest\b|\brecent\b|\blogs?\b|\bevents?\b|보여|찾아|검색|조회|목록|리스트|로그|이벤트|같은\s*(?:에러|오류)|비슷한|최근/;

/** "errors like X", "X 같은 에러": the free text a SEARCH matches. */
export const LIKE_TEXT: readonly RegExp[] = [
  /\b(?:errors?|failures?|events?|logs?|messages?) (?:like|similar to|containing|matching|mentioning|with message|with text|about) ["'“‘]?([^"'”’?]{1,80}?)["'”’]?\s*(?:\?|$|\b(?:in|from|during|over|today|yesterday|for)\b)/,
  /\b(?:containing|mentioning|matching) ["'“‘]?([^"'”’?]{1,80}?)["'”’]?\s*(?:\?|$)/,
  /["'“‘]([^"'”’]{1,80})["'”’]\s*(?:같은|비슷한|관련|이\s*들어간|가\s*들어간|포함)/,
  /([A-Za-z0-9_.\-가-힣]{2,80})\s*(?:같은|비슷한|관련된|관련)\s*(?:에러|오류|로그|이벤트)/,
];

/** "last 5 errors", "최근 10건": how many events a SEARCH lists. */
export const LAST_N =
  /\b(?:last|latest|recent|first|newest) (\d{1,3}) (?:errors?|events?|logs?|requests?|failures?|entries)\b|최근\s*(\d{1,3})\s*(?:개|건)/;

/** "requests per second", "rps", "초당 요청": the count as a rate. */
export const PER_SECOND = /\bper sec(?:ond)?\b|\b(?:rps|qps|tps)\b|\breq(?:uest)?s?\/s(?:ec)?\b|\bthroughput\b|초당/;
export const PER_MINUTE =
  /\b(?:requests?|calls?|errors?|hits?|failures?) (?:per|a|each) minute\b|\brpm\b|\/min\b|\bper min\b|분당\s*(?:요청|호출|에러|오류|실패|건수|처리량|몇\s*(?:건|번|개))|처리량/;

/** Incident questions (ANALYSIS), most specific first. */
export const WHAT_DIFFERS =
  /\bwhat(?:'s| is| are)? (?:different|differs?|distinctive|special|unusual|common|in common)\b|\bhow (?:are|do|is) .{0,40}\bdiffer|\bdifferen(?:t|ce|ces)\b.{0,60}\b(?:fail|error|slow|bad)|\b(?:fail|error|slow|bad)\w* .{0,40}\bdifferen|\bbubble ?up\b|\bwhy are (?:the )?(?:slow|failing|failed) (?:requests|calls)\b|\bhave in common\b|(?:어떤|무슨)\s*점(?:이|에서)?\s*(?:다르|다른|달라)|\bsets? .{0,40}\bapart\b|\bdistinguish(?:es)?\b|\bstand out\b|\bcharacteri[sz]e\b|(?:무엇|뭐)(?:이|가)?\s*(?:다르|다른|달라)|다른\s*점|차이(?:점|가)?|공통점|특징/;
export const SLOW_COHORT = /\bslow(?:er|est)?\b|느린|느려/;
export const WHEN_STARTED =
  /\bwhen did .{0,60}\b(?:start|begin|began|kick off|spike|go wrong|break)|\bwhen (?:was|were|is) .{0,40}\b(?:start|first)|\bstart(?:ed)? (?:at )?when\b|\bsince when\b|\bwhat time did .{0,60}\b(?:start|begin)|\bonset\b|\bat what time did .{0,60}\b(?:start|begin)|처음\s*(?:발생|시작|났|터)|언제\s*(?:부터|시작)|시작\s*(?:시[간각점]|됐|된|했)|몇\s*시\s*(?:부터|에\s*시작)|언제\s*(?:터졌|났)/;
export const IS_OVER =
  /\bback to normal\b|\bnormal again\b|\bhealthy again\b|\b(?:is|are) .{1,30} (?:ok|okay|fine|healthy) (?:again|now)\b|정상\s*(?:이야|이에요|인가|으로\s*돌아|화\s*됐|됐)|\bis (?:it|this|that|the .{1,30}) (?:over|resolved|fixed|still (?:going|happening|ongoing|failing|broken))\b|\bstill (?:happening|going on|ongoing|failing|broken|erroring)\b|\bhas (?:it|this|[\w /-]{1,30}) (?:recovered|ended|stopped|been resolved)\b|\brecovered\?|\b(?:have|has) .{1,30} recovered\b|괜찮(?:아|은가|나|니|은지)|\bdid (?:it|the .{1,30}) recover\b|\bwhen did .{0,40}\b(?:end|stop|recover)|끝났|복구\s*(?:됐|되었|된|했)|아직\s*(?:도)?\s*(?:진행|장애|실패|에러|문제)|해결\s*(?:됐|되었|된)|언제\s*(?:끝|복구)/;
export const WHAT_HAPPENED =
  /\bdid (?:something|anything) (?:break|go wrong|happen)\b|\b(?:is|are) (?:something|anything) (?:wrong|off|broken)\b|\brundown\b|\b(?:did|was there|were there) .{0,30}\b(?:an? )?(?:outage|incident)s?\b|\bhow long did .{0,40}\blast\b|얼마나\s*(?:지속|계속|오래)|\boverview of\b|\broot cause\b|원인|\b(?:is|are) .{1,30} (?:broken|down|unhealthy)\b|\bbroke\b|이상\s*(?:있|해|한|하지|징후)|문제\s*(?:야|인가|있)|터졌|\bwhat(?:'s| is| was|s)? (?:happening|going on|wrong|up)\b|\bwhat (?:happened|went wrong)\b|\bwhat'?s? (?:the )?(?:matter|problem|issue) with\b|\banything (?:wrong|unusual|weird|odd)\b|\b(?:summari[sz]e|explain|describe|analy[sz]e) (?:the |this |that )?(?:[\w-]+ )?(?:incident|outage|spike|problem|issue)|\bwhy (?:is|are|did|was) .{0,40}\b(?:fail|error|down|broken|slow)|무슨\s*일|어떻게\s*된|(?:무엇|뭐)(?:이|가)\s*문제|무슨\s*문제|왜\s*(?:이래|그래|실패|에러|장애)|상황\s*(?:이|을|좀)?\s*(?:어때|알려|요약|설명)|(?:장애|사고|이슈)\s*(?:요약|설명|분석)|문제\s*(?:있|생겼)/;

/** Follow-ups that narrow, shift time or regroup: "only for payments", "그 중에 결제만", "by route instead". */
export const NARROW =
  /^\s*(?:only|just)\b|\bonly (?:for|in|on|the)\b|\binstead\b|^\s*(?:and|now|same|but)\b|^\s*(?:what|how) about\b|그\s*중(?:에서?)?|그중(?:에서?)?|^\s*(?:그럼|그러면|그리고|이번엔|이번에는|대신)|(?:만|으로|로)\s*(?:보면|봐|보여\s*줘|다시|바꿔(?:\s*줘)?|알려\s*줘)?\s*[?？.]?\s*$|(?:은|는|도)\s*(?:요|어때|어때요|어땠어|어땠어요|어떻게\s*돼|어떻지)?\s*[?？]?\s*$|대신/;
/** "show me one", "예시 하나": drill from numbers into the events behind them. */
export const DRILL =
  /\bshow me (?:one|an? example|some|a few|them|those|the events?|the requests?)\b|\b(?:give me |show )?(?:an? )?examples?\b|\bwhich (?:requests|events) (?:were|are) (?:they|those)\b|\bdrill (?:in|down)\b|\bsee (?:one|some|a few|them|those|an example)\b|\ba few of them\b|하나\s*(?:만)?\s*보여|예시|샘플|이벤트\s*(?:좀)?\s*보여|해당\s*(?:요청|이벤트)|어떤\s*요청(?:이|들이)/;

/** Metrics the data cannot answer: asked about, never silently swapped for a count. */
export const UNSUPPORTED_METRIC =
  /\b(?:cpu|memory|ram|disk|apdex|saturation|uptime|availability|bandwidth|bytes|payload size|heap|gc|slo|sla|cost)\b|메모리|디스크|사용률|사용량|가용성|가동률|대역폭|힙/;

/** "by region", "지역별": a grouping the question asks for; checked against the group words. */
export const GROUP_ASK = /\b(?:by|per|grouped by|broken down by|split by|for each|each) ([a-z][\w.-]*)|([가-힣a-z.]{1,12})\s*별/g;
export const KNOWN_GROUP_WORDS =
  /^(?:services?|routes?|endpoints?|paths?|status(?:es)?|codes?|error|errors|methods?|http|minutes?|mins?|hours?|hrs?|days?|weeks?|seconds?|secs?|5|15|the|a|error-code|errorcode|type|types|apis?|서비스|라우트|엔드포인트|경로|코드|상태|메서드|메소드|시간|시간대|일|날짜|분|종류|유형|요일|api|구간|단위)$/;

/** "compared with yesterday", "어제와 비교": both periods side by side. */
export const COMPARE =
  /\bcompared? (?:with|to) (yesterday|last week)\b|\bvs\.? (yesterday|last week)\b|(어제|지난\s*주)\s*(?:와|과|랑|하고|대비)\s*(?:비교)?|(어제|지난\s*주)\s*대비/;
