/** The judge's hearing of a judicial confirmation application (merged into zh-CN). */
export const hearingZhCN = {
  'hearing.badge': '司法确认听证',
  'hearing.title': '听证',
  'hearing.hint': '与双方当事人进行视频听证。当事人用手机打开各自的链接，先进入等候室，由您准许进入。',
  'hearing.start': '开始听证',
  'hearing.starting': '正在开始…',
  'hearing.newLinks': '重新生成当事人链接',
  'hearing.started': '听证已开始',
  'hearing.reused': '听证仍在进行中，已为当事人重新生成链接',
  'hearing.links': '当事人邀请链接',
  'hearing.linksHint': '复制后通过短信或微信发送，或请当事人用手机扫描二维码。链接只在此处显示一次。',
  'hearing.enter': '进入听证室',
  'hearing.page.title': '司法确认听证',
  'hearing.page.application': '申请编号 {id}',
} as const;
