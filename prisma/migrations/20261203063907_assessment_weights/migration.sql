-- CreateTable
CREATE TABLE "AssessmentWeightSet" (
    "version" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "weightSet" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "createdById" TEXT
);
