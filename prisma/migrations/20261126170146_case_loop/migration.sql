-- CreateTable
CREATE TABLE "Unit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "department" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "storedName" TEXT NOT NULL,
    "originalName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "uploadedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Attachment_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SupervisionNote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "answer" TEXT,
    "answeredAt" DATETIME,
    "answeredById" TEXT,
    CONSTRAINT "SupervisionNote_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SupervisionNote_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "SupervisionNote_answeredById_fkey" FOREIGN KEY ("answeredById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WhistleRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "need" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "acceptedById" TEXT,
    "acceptedAt" DATETIME,
    "sessionId" TEXT,
    "invitationId" TEXT,
    CONSTRAINT "WhistleRequest_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_acceptedById_fkey" FOREIGN KEY ("acceptedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FollowUp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "date" DATETIME NOT NULL,
    "method" TEXT NOT NULL,
    "satisfaction" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "FollowUp_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FollowUpLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    CONSTRAINT "FollowUpLink_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RoutingRuleSet" (
    "version" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ruleSet" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "createdById" TEXT
);

-- CreateTable
CREATE TABLE "SystemSetting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseNumber" TEXT NOT NULL,
    "disputeType" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'walk_in',
    "state" TEXT NOT NULL DEFAULT 'reported',
    "grade" TEXT,
    "level" TEXT,
    "unitId" TEXT,
    "timeLimitDays" INTEGER,
    "startedAt" DATETIME,
    "deadlineAt" DATETIME,
    "closedAt" DATETIME,
    "settled" BOOLEAN,
    "agreementId" TEXT,
    "followUpDueAt" DATETIME,
    "lastSatisfaction" TEXT,
    "queryCodeHash" TEXT,
    "chainSeq" INTEGER NOT NULL DEFAULT 0,
    "chainHash" TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    "district" TEXT,
    "town" TEXT,
    "community" TEXT,
    "grid" TEXT,
    "createdById" TEXT,
    "leadMediatorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Case_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Case_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Case_leadMediatorId_fkey" FOREIGN KEY ("leadMediatorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Case" ("caseNumber", "community", "createdAt", "createdById", "description", "disputeType", "district", "grid", "id", "leadMediatorId", "source", "status", "title", "town", "updatedAt") SELECT "caseNumber", "community", "createdAt", "createdById", "description", "disputeType", "district", "grid", "id", "leadMediatorId", "source", "status", "title", "town", "updatedAt" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_caseNumber_key" ON "Case"("caseNumber");
CREATE INDEX "Case_status_idx" ON "Case"("status");
CREATE INDEX "Case_state_idx" ON "Case"("state");
CREATE INDEX "Case_unitId_idx" ON "Case"("unitId");
CREATE INDEX "Case_leadMediatorId_idx" ON "Case"("leadMediatorId");
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "department" TEXT,
    "passwordHash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unitId" TEXT,
    CONSTRAINT "User_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_User" ("createdAt", "department", "disabled", "displayName", "id", "passwordHash", "role", "username") SELECT "createdAt", "department", "disabled", "displayName", "id", "passwordHash", "role", "username" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");
CREATE INDEX "User_unitId_idx" ON "User"("unitId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Unit_name_key" ON "Unit"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_storedName_key" ON "Attachment"("storedName");

-- CreateIndex
CREATE INDEX "Attachment_caseId_idx" ON "Attachment"("caseId");

-- CreateIndex
CREATE INDEX "SupervisionNote_caseId_idx" ON "SupervisionNote"("caseId");

-- CreateIndex
CREATE INDEX "SupervisionNote_answeredAt_dueAt_idx" ON "SupervisionNote"("answeredAt", "dueAt");

-- CreateIndex
CREATE INDEX "WhistleRequest_unitId_status_idx" ON "WhistleRequest"("unitId", "status");

-- CreateIndex
CREATE INDEX "WhistleRequest_caseId_idx" ON "WhistleRequest"("caseId");

-- CreateIndex
CREATE INDEX "FollowUp_caseId_idx" ON "FollowUp"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "FollowUpLink_tokenHash_key" ON "FollowUpLink"("tokenHash");

-- CreateIndex
CREATE INDEX "FollowUpLink_caseId_idx" ON "FollowUpLink"("caseId");

-- Backfill (hand-written): cases created before the case loop were registered by staff at the window;
-- `source` used to hold the creator's role, now it is the intake channel; the timeline chain head is
-- copied from each case's newest timeline entry.
UPDATE "Case" SET "state" = 'registered';
UPDATE "Case" SET "source" = CASE "source" WHEN 'gridworker' THEN 'grid' ELSE 'walk_in' END;
UPDATE "Case" SET
    "chainSeq" = COALESCE((SELECT MAX("seq") FROM "TimelineEntry" t WHERE t."caseId" = "Case"."id"), 0),
    "chainHash" = COALESCE((SELECT "hash" FROM "TimelineEntry" t WHERE t."caseId" = "Case"."id" ORDER BY "seq" DESC LIMIT 1),
                           '0000000000000000000000000000000000000000000000000000000000000000');
