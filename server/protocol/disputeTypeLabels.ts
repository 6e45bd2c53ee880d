import { type DisputeType } from './caseLoop.ts';

/**
 * The one source of the dispute-type names: the client's catalogues (zh-CN and en) and the
 * server's Chinese texts (CSV export, public progress page, default titles) all read this table.
 */
export const disputeTypeLabels = {
  'zh-CN': {
    labour: '劳动争议',
    neighbour: '邻里纠纷',
    land: '土地纠纷',
    family: '婚姻家庭纠纷',
    debt: '债务纠纷',
    property: '房屋物业纠纷',
    consumer: '消费纠纷',
    traffic: '交通事故纠纷',
    other: '其他纠纷',
  },
  en: {
    labour: 'Labour dispute',
    neighbour: 'Neighbour dispute',
    land: 'Land dispute',
    family: 'Family dispute',
    debt: 'Debt dispute',
    property: 'Property dispute',
    consumer: 'Consumer dispute',
    traffic: 'Traffic accident',
    other: 'Other',
  },
} as const satisfies Record<'zh-CN' | 'en', Record<DisputeType, string>>;
