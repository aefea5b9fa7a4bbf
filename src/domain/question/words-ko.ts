/**
 * The Korean words the rules parser understands or may safely ignore, as stems (particles and
 * common endings are stripped before the lookup). A Korean word outside this list that no alias,
 * field or name consumed is reported as not understood, never silently dropped.
 */
const WORDS = `
가장 제일 개 건 건수 번 수 몇 얼마 얼마나 얼마야 얼마였어 많은 많이 적은 높은 낮은 느린 빠른 느려 빨라 큰 작은
에러 에러율 오류 오류율 실패 실패율 실패한 실패하는 성공 성공률 장애 문제 이상 원인 이슈 사고 이벤트 로그 예시 하나 하나만
요청 요청량 요청수 호출 트래픽 처리량 응답 응답속도 응답시간 지연 지연시간 레이턴시 속도 평균 중앙값 최대 최소 최대값 최소값 합계 비율 퍼센트
상위 하위 순위 랭킹 목록 추이 분포 종류 유형 코드 상태 메서드 메소드 경로 단위 구간 날짜 요일 시간대 서비스 라우트 엔드포인트 api
오늘 어제 그제 내일 지금 현재 최근 지난 지난주 이번주 이번 동안 사이 이후 이전 전 후 부터 까지 처음 마지막 언제 언제부터 언제까지
오전 오후 새벽 아침 저녁 밤 낮 시 분 초 시간 분간 일 월 주 하루 반 한국 한국시간 기준 분당 초당 시간당 매분 매시간
한 두 세 네 다섯 여섯 일곱 여덟 아홉 열 스무 서른 마흔 쉰 십
그 이 저 그럼 그리고 그런데 그중 그중에서 중 중에 다시 또 좀 쪽 이번엔 대신 만 다른 나머지 모든 전체 각 각각 어느 어떤 무슨 무엇 뭐 뭐가 뭐야 뭔가 왜 어떻게 어디 누구
보여줘 보여 보여주세요 알려줘 알려 알려줄래 알려주세요 찾아줘 찾아 찾지 요약해줘 요약 분석해줘 분석 비교 비교해줘 비교해 대비 보다 보면 줘 주세요 해줘 바꿔줘 바꿔
있어 있었어 있나 있나요 없어 있는 없는 됐어 됐지 된 되는 돼 난 났어 나는 늘었어 늘어난 줄었어 들어왔어 발생 발생한 발생했어 시작 시작됐어 시작됐지 시작된 끝 끝났어 끝난 복구 복구됐어 회복 해결 해결됐어 처리해 이래 어땠어 괜찮아 정상 정상이야 중이야 아직 아직도 계속
점 시각 시점 상황 특징 공통점 차이 차이점 다른가요 달라 다른점 무엇이 뭐가 원인이 영향 요청들 실패들
결제 주문 체크아웃 장바구니 카트 상품 카탈로그 검색 로그인 인증 환불 페이먼트 게이트웨이 타임아웃 카드 거절 승인 재고 충돌 내부
안녕 안녕하세요 고마워 고마워요 감사 감사합니다 도움 도움말 같은 같이 처럼 관련 관련된 대한 대해 위한
하세요 해 했어 할 하는 한 인가 인가요 인지 입니까 이야 야 요
`;

export const KO_KNOWN = new Set(WORDS.split(/\s+/).filter(Boolean));

/** Particles and endings peeled off a word before it is looked up, longest first. */
const SUFFIXES = [
  "이었어요",
  "이었어",
  "이었지",
  "이었나",
  "이에요",
  "입니다",
  "인가요",
  "였어요",
  "였어",
  "였지",
  "였나",
  "예요",
  "인가",
  "에서는",
  "으로는",
  "까지는",
  "부터는",
  "이랑은",
  "에서",
  "으로",
  "까지",
  "부터",
  "이랑",
  "하고",
  "처럼",
  "보다",
  "별로",
  "들은",
  "들의",
  "들이",
  "들을",
  "이야",
  "인데",
  "이면",
  "은",
  "는",
  "이",
  "가",
  "을",
  "를",
  "의",
  "에",
  "로",
  "와",
  "과",
  "도",
  "만",
  "별",
  "들",
  "랑",
  "야",
  "요",
  "엔",
];

/** True when the word, or the word without its particles, is one the parser knows. */
export function isKnownKorean(word: string): boolean {
  let w = word;
  for (let i = 0; i < 3; i++) {
    if (KO_KNOWN.has(w)) return true;
    const suffix = SUFFIXES.find((s) => w.length > s.length && w.endsWith(s));
    if (!suffix) return false;
    w = w.slice(0, -suffix.length);
  }
  return KO_KNOWN.has(w);
}
