/**
 * Korean words (and transliterations) for the things a service, route or error code is called by
 * → English stems the store's names may use, in order of preference. The first stem that matches
 * a stored service, a route segment or an error code wins; none matching is reported, never dropped.
 */
export const KO_ALIASES: readonly (readonly [string, readonly string[]])[] = [
  ["페이먼트", ["payment", "pay"]],
  ["결제", ["payment", "pay", "billing"]],
  ["환불", ["refund"]],
  ["체크아웃", ["checkout"]],
  ["주문", ["order", "checkout"]],
  ["장바구니", ["cart", "basket"]],
  ["카트", ["cart"]],
  ["카탈로그", ["catalog", "product", "item"]],
  ["상품", ["catalog", "product", "item"]],
  ["아이템", ["item", "catalog"]],
  ["검색", ["search"]],
  ["서치", ["search"]],
  ["로그인", ["login", "auth"]],
  ["인증", ["auth", "login"]],
  ["사용자", ["user", "account"]],
  ["유저", ["user", "account"]],
  ["회원", ["user", "member", "account"]],
  ["배송", ["shipping", "delivery"]],
  ["재고", ["inventory", "stock"]],
  ["알림", ["notification", "notify"]],
  ["게이트웨이", ["gateway"]],
];

/** Korean phrases for error codes → words an error code is spelled with. */
export const KO_CODE_ALIASES: readonly (readonly [RegExp, string])[] = [
  [/게이트웨이\s*(?:타임아웃|시간\s*초과)/, "GATEWAY_TIMEOUT"],
  [/카드\s*(?:거절|거부|승인\s*거절)|\bcard declin\w*|\bdeclined cards?\b/, "CARD_DECLINED"],
  [/재고\s*(?:충돌|부족)/, "STOCK_CONFLICT"],
  [/잔액\s*부족/, "INSUFFICIENT_BALANCE"],
  [/(?:db|디비|데이터베이스)\s*(?:타임아웃|시간\s*초과)/, "DB_TIMEOUT"],
  [/내부\s*(?:오류|에러)/, "INTERNAL"],
];

/** Words that put a bare name in a route's place: "the payments endpoint", "refund 경로". */
export const ROUTE_CONTEXT = /\b(?:routes?|endpoints?|paths?|urls?|apis?)\b|라우트|엔드포인트|경로/;
