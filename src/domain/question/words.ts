/**
 * The English words the rules parser understands or may safely ignore. A Latin word in a question
 * that is neither one of these nor a stored name is reported (or asked about), never silently
 * dropped: this list is what "understood" means.
 */
const WORDS = `
a about above across after again against ago all along also am among an and any anything api apis are around as at away
back be been before being below between both but by
can could did do does doing done down during each either else ever every everything except
few for from further get gets getting give given go going got had has have having here how however
i if in into is it its it's itself just kind kinds last least less let lets like likely look looks lot lots
made make many may me mean means might more most much must my near need needs no not now of off on once one only or other
our out over own past per please pretty quick quickly rather really right said same say says see seen shall she should show
showing shown since so some something still such tell than that that's the their them then there these they thing things this
those through to too under until up upon us very via want was way we were what what's whats when where whether which while
who whom whose why will with within without would yes yet you your
half quarter summarize summarise summary analyze analyse analysis set sets apart break breaks broke something anything rps qps tps rpm throughput rest others remaining normal regular usual good fine
hi hello hey thanks thank help ok okay please hmm
serve served serving see seeing saw observe observed observing rundown overview cause root recover recovered yet special currently
request requests req reqs call calls hit hits traffic volume throughput load event events log logs entry entries record records
error errors erroring errored fail fails failed failing failure failures exception exceptions crash crashes crashed crashing broken
problem problems issue issues outage outages incident incidents spike spikes spiked spiking degraded degradation down
success successes successful succeeded ok healthy health status statuses code codes http response responses returned return returning
rate rates ratio percentage percent percentages share fraction often
latency latencies duration durations slow slower slowest fast faster fastest speed long longest short shortest took take takes taking time times
response-time response-times respond responded
average avg mean median p50 p90 p95 p99 percentile percentiles th 50th 95th 99th max maximum min minimum total sum number count counts
how many much often
top bottom worst best highest lowest most least biggest smallest first latest newest recent recently oldest
per by each every across breakdown break grouped group groups split
service services svc route routes endpoint endpoints path paths url urls method methods type types
minute minutes min mins hour hours hr hrs day days week weeks month months second seconds sec secs today yesterday tonight morning
afternoon evening night noon midnight now currently current ago earlier later since until till between from to am pm utc kst gmt
timeline trend trends series timeseries over time graph chart bucket buckets hourly daily minutely
find search list display fetch lookup look show see view give get me similar containing matching mentioning message messages text
example examples sample samples one two three four five six seven eight nine ten twenty thirty forty fifty hundred dozen
compare compared comparison versus vs against baseline normal usual
happen happened happening going on wrong changed change changes different difference differences differ unusual odd strange weird
start started starting begin began begun end ended ending stop stopped over still ongoing recovered recover recovering back fixed
why cause causes caused causing reason explain affected affect affecting impact impacted
instead only just also again same but except excluding exclude without filter filtered narrow narrowed
and or not with what which where when how who
please can could would you tell
gateway timeout timeouts timed declined decline card cards
post put patch delete head options
q question questions answer answers asked ask previous conversation history
users user customers customer
our my system systems app apps application applications production prod
it's i'm what's where's there's how's that's don't doesn't didn't isn't aren't wasn't weren't
`;

export const KNOWN_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));

/** Latin words in `text` (lower case), keeping inner `-`, `_` and `'`. */
export function latinWords(text: string): string[] {
  // Not a unit or suffix glued to a number ("502s", "5m"), and not single letters.
  return [...text.toLowerCase().matchAll(/(?<![a-z0-9_])[a-z][a-z0-9_'-]*[a-z0-9]/g)].map((m) => m[0]);
}

/** A word the parser understands: known, a number-like token, or an ordinal/plural of a known word. */
export function isKnownWord(word: string): boolean {
  if (KNOWN_WORDS.has(word)) return true;
  if (/^\d/.test(word) || /^[pP]\d{2}$/.test(word)) return true;
  if (/^\d+(?:ms|s|m|h|d|w|st|nd|rd|th|xx|am|pm)$/.test(word)) return true;
  if (word.endsWith("s") && KNOWN_WORDS.has(word.slice(0, -1))) return true;
  if (word.endsWith("'s") && KNOWN_WORDS.has(word.slice(0, -2))) return true;
  return false;
}
