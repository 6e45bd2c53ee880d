-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MediationSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedById" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "kind" TEXT NOT NULL DEFAULT 'mediation',
    "judicialApplicationId" TEXT,
    CONSTRAINT "MediationSession_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "MediationSession_startedById_fkey" FOREIGN KEY ("startedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "MediationSession_judicialApplicationId_fkey" FOREIGN KEY ("judicialApplicationId") REFERENCES "JudicialApplication" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MediationSession" ("caseId", "endedAt", "id", "startedAt", "startedById", "status") SELECT "caseId", "endedAt", "id", "startedAt", "startedById", "status" FROM "MediationSession";
DROP TABLE "MediationSession";
ALTER TABLE "new_MediationSession" RENAME TO "MediationSession";
CREATE INDEX "MediationSession_caseId_idx" ON "MediationSession"("caseId");
CREATE INDEX "MediationSession_judicialApplicationId_idx" ON "MediationSession"("judicialApplicationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
