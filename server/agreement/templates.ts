import { type DisputeType } from '../protocol/caseLoop.ts';
import type { AgreementContent } from '../protocol/agreement.ts';
import type { AgreementField, AgreementFieldType } from '../protocol/agreementFields.ts';
import { partySides, type PartySide } from '../protocol/roles.ts';

/*
 * Agreement templates as data, one per dispute type (plus a general one). Placeholders in
 * {braces} are filled from the case; {{double braces}} are typed fields (a date, an amount in
 * yuan, …) the mediator fills in the drafting form. A required field left blank stops the freeze.
 */
export type TemplateField = Omit<AgreementField, 'value'>;

const field = (id: string, type: AgreementFieldType, label: string, labelEn: string, required = true): TemplateField => ({
  id,
  type,
  label,
  labelEn,
  required,
});

const PAY_DATE = field('payDate', 'date', '付清日期', 'Pay by (date)');

export interface AgreementTemplate {
  id: string;
  disputeType: DisputeType | 'general';
  name: string;
  nameEn: string;
  title: string;
  facts: string;
  clauses: string[];
  performance: string;
  breach: string;
  fields: TemplateField[];
}

const PERF = '上述款项由{respondents}通过银行转账方式支付至{applicants}指定的账户，于{{payDate}}前一次性付清。';
const BREACH = '任何一方不履行本协议的，另一方可以向人民法院申请司法确认后申请强制执行；逾期付款的，按未付金额每日万分之五支付违约金。';

export const agreementTemplates: readonly AgreementTemplate[] = [
  {
    id: 'labour',
    disputeType: 'labour',
    name: '劳动报酬（欠薪）纠纷调解协议',
    nameEn: 'Unpaid wages',
    title: '人民调解协议书',
    facts: '{description}\n双方就劳动报酬的数额及支付期限发生争议，经{organisation}调解，达成如下协议。',
    clauses: [
      '{respondents}确认尚欠{applicants}劳动报酬人民币{{wageAmount}}元。',
      '{respondents}于{{payDate}}前向{applicants}支付上述劳动报酬。',
      '双方就本纠纷再无其他争议。',
    ],
    performance: PERF,
    breach: BREACH,
    fields: [field('wageAmount', 'amount', '拖欠劳动报酬金额', 'Unpaid wages (yuan)'), PAY_DATE],
  },
  {
    id: 'neighbour',
    disputeType: 'neighbour',
    name: '邻里纠纷调解协议',
    nameEn: 'Neighbours',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['{respondents}于{{repairDate}}前修复相关设施并承担维修费用。', '双方今后互谅互让、和睦相处，不再就本事由发生争执。'],
    performance: '由{respondents}自行或委托有资质的维修单位完成修复，{applicants}予以配合。',
    breach: BREACH,
    fields: [field('repairDate', 'date', '修复完成日期', 'Repair done by (date)')],
  },
  {
    id: 'family',
    disputeType: 'family',
    name: '婚姻家庭纠纷调解协议',
    nameEn: 'Family',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['双方就家庭事务的安排达成一致：{{arrangement}}。', '双方相互尊重，不得以本纠纷为由干扰对方正常生活。'],
    performance: '双方于本协议生效之日起按上述约定履行。',
    breach: '任何一方不履行本协议的，另一方可以向人民法院申请司法确认或者依法提起诉讼。',
    fields: [field('arrangement', 'text', '家庭事务安排', 'Agreed arrangement')],
  },
  {
    id: 'debt',
    disputeType: 'debt',
    name: '债务纠纷调解协议',
    nameEn: 'Debt',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: [
      '{respondents}确认欠{applicants}款项人民币{{debtAmount}}元。',
      '{respondents}分{{instalments}}期偿还，每期人民币{{instalmentAmount}}元。',
      '双方就本债务再无其他争议。',
    ],
    performance: '上述款项由{respondents}通过银行转账方式支付至{applicants}指定的账户，最后一期于{{payDate}}前付清。',
    breach: BREACH,
    fields: [
      field('debtAmount', 'amount', '欠款金额', 'Amount owed (yuan)'),
      field('instalments', 'integer', '分期期数', 'Number of instalments'),
      field('instalmentAmount', 'amount', '每期金额', 'Each instalment (yuan)'),
      PAY_DATE,
    ],
  },
  {
    id: 'property',
    disputeType: 'property',
    name: '房屋租赁、物业纠纷调解协议',
    nameEn: 'Property / tenancy',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['{respondents}于{{payDate}}前向{applicants}退还押金人民币{{depositAmount}}元。', '双方就本租赁关系再无其他争议。'],
    performance: PERF,
    breach: BREACH,
    fields: [PAY_DATE, field('depositAmount', 'amount', '退还押金金额', 'Deposit refunded (yuan)')],
  },
  {
    id: 'consumer',
    disputeType: 'consumer',
    name: '消费纠纷调解协议',
    nameEn: 'Consumer',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['{respondents}向{applicants}退还货款人民币{{refundAmount}}元（或更换商品）。', '{applicants}于收到款项后退回所购商品。'],
    performance: PERF,
    breach: BREACH,
    fields: [field('refundAmount', 'amount', '退还货款金额', 'Refund (yuan)'), PAY_DATE],
  },
  {
    id: 'traffic',
    disputeType: 'traffic',
    name: '道路交通事故损害赔偿调解协议',
    nameEn: 'Traffic accident',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: [
      '{respondents}一次性赔偿{applicants}医疗费、误工费、交通费等各项损失共计人民币{{compensation}}元。',
      '本协议履行完毕后，双方就本次事故再无其他争议。',
    ],
    performance: PERF,
    breach: BREACH,
    fields: [field('compensation', 'amount', '赔偿总额', 'Compensation (yuan)'), PAY_DATE],
  },
  {
    id: 'land',
    disputeType: 'land',
    name: '土地承包、宅基地纠纷调解协议',
    nameEn: 'Land',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['双方确认争议地块的界址为：{{boundary}}。', '双方按上述界址各自使用，互不侵犯。'],
    performance: '双方于{{confirmDate}}前在{organisation}见证下共同确认界址。',
    breach: '任何一方不履行本协议的，另一方可以向人民法院申请司法确认或者依法提起诉讼。',
    fields: [field('boundary', 'text', '界址', 'Boundary'), field('confirmDate', 'date', '确认界址日期', 'Boundary confirmed by (date)')],
  },
  {
    id: 'general',
    disputeType: 'general',
    name: '通用调解协议',
    nameEn: 'General',
    title: '人民调解协议书',
    facts: '{description}',
    clauses: ['{{terms}}。'],
    performance: '{{performer}}于本协议生效之日起{{days}}日内履行完毕。',
    breach: BREACH,
    fields: [
      field('terms', 'text', '协议内容', 'Agreed terms'),
      field('performer', 'party', '履行义务人', 'Party who performs'),
      field('days', 'integer', '履行期限（日）', 'Days to perform'),
    ],
  },
];

export function templateFor(disputeType: string, templateId?: string): AgreementTemplate {
  const byId = templateId ? agreementTemplates.find((t) => t.id === templateId) : undefined;
  if (templateId && !byId) throw new RangeError(`unknown template ${templateId}`);
  return byId ?? agreementTemplates.find((t) => t.disputeType === disputeType) ?? agreementTemplates.find((t) => t.id === 'general')!;
}

export const SIDE_LABELS: Record<string, string> = { applicant: '申请人', respondent: '被申请人' };

/** A side as a code for the wire (the client labels it); older rows stored the Chinese label. */
export function sideCode(side: string | null): PartySide | null {
  if (side === null) return null;
  if ((partySides as readonly string[]).includes(side)) return side as PartySide;
  return partySides.find((s) => SIDE_LABELS[s] === side) ?? null;
}

export interface TemplateCase {
  description: string;
  parties: Array<{ side: string; name: string }>;
  organisation: string;
  mediator: string;
}

/** Fills a template from the case. */
export function fillTemplate(t: AgreementTemplate, c: TemplateCase): AgreementContent {
  const names = (side: string) =>
    c.parties
      .filter((p) => p.side === side)
      .map((p) => p.name)
      .join('、') || SIDE_LABELS[side]!;
  const vars: Record<string, string> = {
    description: c.description.trim() || '（纠纷事实）',
    applicants: names('applicant'),
    respondents: names('respondent'),
    organisation: c.organisation,
    mediator: c.mediator,
  };
  // Case text never becomes a field token.
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] ?? m).replace(/\{\{/g, '{ {'));
  return {
    title: t.title,
    parties: c.parties.map((p) => ({ side: SIDE_LABELS[p.side] ?? p.side, name: p.name })),
    facts: fill(t.facts),
    clauses: t.clauses.map(fill),
    performance: fill(t.performance),
    breach: fill(t.breach),
    organisation: c.organisation,
    mediator: c.mediator,
    fields: t.fields.map((f) => ({ ...f, value: '' })),
  };
}
